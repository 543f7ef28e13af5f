import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const logLines = () => ctx.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('framing', () => {
  it('X-Frame-Options says DENY, as frame-ancestors does', async () => {
    for (const url of ['/portal/', '/staff/login']) {
      const res = await request(ctx.app).get(url);
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });
});

describe('request ids', () => {
  it('every request gets a short id, in its log line and its X-Request-Id header', async () => {
    const a = await request(ctx.app).get('/staff/login');
    const b = await request(ctx.app).get('/staff/login');
    const ids = [a.headers['x-request-id'], b.headers['x-request-id']];
    for (const id of ids) expect(id).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(ids[0]).not.toBe(ids[1]);
    const logged = logLines().filter((l) => l.msg === 'request completed').map((l) => l.reqId);
    expect(logged).toEqual(expect.arrayContaining(ids));
  });

  it('a page not found shows the id, so a member can quote it', async () => {
    const res = await request(ctx.app).get('/portal/no-such-page');
    expect(res.status).toBe(404);
    expect(visibleText(res.text)).toContain(`お問い合わせ番号 ${res.headers['x-request-id']}`);
  });
});

describe('an unhandled error', () => {
  it('logs the URL redacted as the request log does, with the request id the error page shows', async () => {
    const broken = await createTestContext();
    try {
      // A real failure deep in a page: the table the reset link is read from is gone.
      broken.db.exec('ALTER TABLE password_resets RENAME TO password_resets_gone');
      const token = 'Zk3v9QpLm2Xw8RtY6sNa4BcD1eFgHiJkLmNoPqRsTuV';
      const res = await request(broken.app).get(`/portal/password/reset/${token}?code=123456`);
      expect(res.status).toBe(500);
      const id = res.headers['x-request-id'] as string;
      expect(visibleText(res.text)).toContain(`お問い合わせ番号 ${id}`);
      expect(visibleText(res.text)).toContain('お問い合わせ番号をお伝えください');

      const all = broken.logs.join('\n');
      expect(all).not.toContain(token);
      expect(all).not.toContain('123456');
      const lines = broken.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const error = lines.find((l) => l.msg === 'unhandled error')!;
      expect(error).toMatchObject({ reqId: id, url: '/portal/password/reset/[redacted]', method: 'GET' });
      expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ reqId: id, res: { statusCode: 500 } });
    } finally {
      await broken.close();
    }
  });
});

describe('the database files', () => {
  it('portal.db and its -wal and -shm are readable by the service user only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-db-'));
    const file = path.join(dir, 'data', 'portal.db');
    const old = process.umask(0o022); // a usual umask, which would give 0644
    try {
      const db = openDatabase(file);
      migrate(db);
      db.prepare("INSERT INTO insurers (code, name, created_at) VALUES ('x', 'X', 0)").run();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        expect((fs.statSync(f).mode & 0o777).toString(8), f).toBe('600');
      }
      expect((fs.statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700');
      db.close();
    } finally {
      process.umask(old);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an existing world-readable database is made private when opened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-db-'));
    const file = path.join(dir, 'portal.db');
    try {
      fs.writeFileSync(file, '');
      fs.chmodSync(file, 0o644);
      const db = openDatabase(file);
      migrate(db);
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
      expect((fs.statSync(`${file}-shm`).mode & 0o777).toString(8)).toBe('600');
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { buildDeps } from '../../src/deps.js';
import { TestClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { visibleText } from '../support/agent.js';

const TEST_DOCUMENT_KEY = Buffer.alloc(32, 7).toString('base64');

function appWith(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-devmail-'));
  const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 's'.repeat(40), ...env });
  const db = openDatabase(':memory:');
  migrate(db);
  const mailTransport = createMailTransport({ smtpUrl: config.smtpUrl, mailDir: path.join(dataDir, 'mail') });
  const deps = buildDeps({ config, db, clock: new TestClock(), logger: createLogger('silent'), mailTransport });
  return { app: createApp(deps), deps, dataDir };
}

describe('development mail', () => {
  it('writes mails as .eml files and lists and shows them at /dev/mail', async () => {
    const { app, deps, dataDir } = appWith({ NODE_ENV: 'development' });
    enqueueMail(deps.db, deps.clock, { kind: 'test', to: 'dev@example.jp', subject: '【テスト】認証コード', text: 'コード 654321', html: '<p>コード</p>' });
    expect(await deps.outbox.drain()).toBe(1);
    const files = fs.readdirSync(path.join(dataDir, 'mail'));
    expect(files).toHaveLength(1);

    const list = await request(app).get('/dev/mail');
    expect(list.status).toBe(200);
    expect(visibleText(list.text)).toContain('【テスト】認証コード');
    const show = await request(app).get(`/dev/mail/${files[0]}`);
    expect(visibleText(show.text)).toContain('コード 654321');
    expect((await request(app).get('/dev/mail/..%2Fportal.db')).status).toBe(404);
  });

  it('does not exist in production', async () => {
    const { app } = appWith({ NODE_ENV: 'production', BASE_URL: 'https://p.example.jp', SMTP_URL: 'smtp://127.0.0.1:1', DOCUMENT_KEY: TEST_DOCUMENT_KEY });
    expect((await request(app).get('/dev/mail')).status).toBe(404);
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { insertInsurer } from '../../src/features/registry/insurers.js';
import { insertMember } from '../../src/features/registry/members.js';
import { FetchAgent } from '../support/agent.js';
import { GOOD_PASSWORD } from '../support/member-flows.js';
import { createReaders } from '../support/readers.js';
import { buildOnce, type ChildServer, REPO_ROOT, runPortalCli, serverEnv, startServer, stopServer } from '../support/real-server.js';
import { writeRaceRegistry } from '../support/registry.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

/** SQLite's write-ahead log beside the database: present while a writer has not checkpointed and closed. */
const walExists = (dataDir: string) => fs.existsSync(path.join(dataDir, 'portal.db-wal'));

/*
 * The real server (`node dist/server.js`) as a child process: killed in the
 * middle of signups, stopped with SIGTERM in the middle of a request, and
 * starved by a client that never finishes its headers.
 */

const dirs: string[] = [];
let server: ChildServer | undefined;
let smtp: TestSmtpServer | undefined;

beforeAll(() => buildOnce(), 180_000);
afterEach(async () => {
  await stopServer(server);
  server = undefined;
  await smtp?.close();
  smtp = undefined;
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface RegistryMember {
  number: string;
  email: string;
}

/** A data folder with the schema, one insurer and `count` members, as `portal import-members` would leave it. */
function prepareDataDir(count: number): { dataDir: string; members: RegistryMember[] } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-hardening-'));
  dirs.push(dataDir);
  const db = openDatabase(path.join(dataDir, 'portal.db'));
  migrate(db);
  const insurer = insertInsurer(
    db,
    { code: 'crashkenpo', name: 'クラッシュ健康保険組合', call_center_phone: '0120-000-000', call_center_hours: '平日', call_center_email: 'c@example.jp', office_phone: '03-0000-0000', office_hours: '平日' },
    Date.now(),
  );
  const members: RegistryMember[] = [];
  for (let i = 1; i <= count; i++) {
    insertMember(db, { insurerId: insurer.id, symbol: '500', number: String(i), birthDate: '1985-04-01', name: '健保 祥子', nameKana: 'ケンポ ショウコ' }, Date.now());
    members.push({ number: String(i), email: `crash-${i}@example.com` });
  }
  db.close();
  return { dataDir, members };
}

const dbFile = (dataDir: string) => path.join(dataDir, 'portal.db');
const readonly = (dataDir: string) => new Database(dbFile(dataDir), { readonly: true, fileMustExist: true });

class Stopped extends Error {}

/** One whole signup over HTTP; true once the completion was acknowledged (303 to the done page). */
async function signUp(base: string, m: RegistryMember, mailbox: TestSmtpServer, stopped: () => boolean): Promise<boolean> {
  const b = new FetchAgent(base);
  await b.get('/portal/signup');
  let r = await b.post('/portal/signup', {
    insurerCode: 'crashkenpo', symbol: '500', number: m.number, birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: 'ケンポ ショウコ',
  });
  expect(r.location).toBe('/portal/signup/account');
  await b.get('/portal/signup/account');
  r = await b.post('/portal/signup/account', { loginId: `crash-${m.number}`, password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: m.email, emailConfirm: m.email });
  expect(r.location).toBe('/portal/signup/verify');
  let code: string | undefined;
  while (!code) {
    if (stopped()) throw new Stopped();
    code = mailbox.mails.find((x) => x.to === m.email && x.subject.includes('認証コード'))?.text.match(/認証コード：(\d{6})/)?.[1];
    if (!code) await sleep(20);
  }
  await b.get('/portal/signup/verify');
  r = await b.post('/portal/signup/verify', { code });
  return r.status === 303 && r.location === '/portal/signup/done';
}

const isConnectionError = (err: unknown) => err instanceof TypeError && /fetch failed/.test(err.message);

describe('crash safety', () => {
  it('after SIGKILL in the middle of signups: the database is intact, every acknowledged signup exists, every queued mail goes out after the restart', async () => {
    const { dataDir, members } = prepareDataDir(40);
    smtp = await startSmtpServer();
    const mailbox = smtp;
    server = await startServer({ dataDir, smtpUrl: smtp.url });
    const base = server.url;

    const acknowledged: string[] = [];
    let stop = false;
    let next = 0;
    const worker = async () => {
      while (!stop && next < members.length) {
        const m = members[next++]!;
        try {
          if (await signUp(base, m, mailbox, () => stop)) acknowledged.push(`crash-${m.number}`);
        } catch (err) {
          if (err instanceof Stopped || isConnectionError(err)) return;
          throw err;
        }
      }
    };
    const workers = Array.from({ length: 6 }, () => worker());

    await until('four completed signups', () => acknowledged.length >= 4, 90_000);
    // The mail server stalls: the mails of the signups still running pile up in the outbox.
    smtp.hold();
    let reader = readonly(dataDir);
    const unsent = () => reader.prepare('SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id').pluck().all() as number[];
    await until('mails waiting in the outbox', () => unsent().length >= 3, 60_000);
    const queuedBeforeKill = unsent();
    reader.close();

    server.child.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    stop = true;
    smtp.dropHeld();
    await Promise.all(workers);
    const acknowledgedAtKill = [...acknowledged];
    expect(walExists(dataDir)).toBe(true); // killed: nothing was checkpointed or closed

    // Restart on the same data folder; the mail server still holds whatever it is sent.
    server = await startServer({ dataDir, smtpUrl: smtp.url });
    reader = readonly(dataDir);
    expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reader.pragma('foreign_key_check')).toEqual([]);

    const accounts = new Set(reader.prepare('SELECT login_id FROM accounts').pluck().all() as string[]);
    for (const loginId of acknowledgedAtKill) expect(accounts.has(loginId), `${loginId} was acknowledged`).toBe(true);
    // Nothing half-written: every account has its completed registration and its confirmation mail.
    expect(
      reader.prepare(`SELECT count(*) FROM accounts a WHERE NOT EXISTS (
        SELECT 1 FROM signup_registrations r WHERE r.account_id = a.id AND r.completed_at IS NOT NULL)`).pluck().get(),
    ).toBe(0);
    expect(reader.prepare(`SELECT count(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = a.id AND o.kind = 'signup_done')`).pluck().get()).toBe(0);

    const queuedAfterRestart = reader.prepare('SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id').pluck().all() as number[];
    expect(queuedAfterRestart).toEqual(expect.arrayContaining(queuedBeforeKill));

    // The mail server answers again: the restarted worker sends every one of them.
    smtp.release();
    await until(
      'the queued mails to be sent',
      () => (reader.prepare(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND id IN (${queuedAfterRestart.join(',')})`).pluck().get() as number) === 0,
      30_000,
    );
    const delivered = new Set(smtp.mails.map((m) => m.outboxId));
    for (const id of queuedAfterRestart) expect(delivered.has(id), `outbox mail ${id} delivered`).toBe(true);
    reader.close();
  }, 180_000);
});

describe('graceful shutdown', () => {
  it('SIGTERM stops accepting connections, finishes the request in flight, closes the database and exits 0', async () => {
    const { dataDir } = prepareDataDir(1);
    smtp = await startSmtpServer();
    server = await startServer({ dataDir, smtpUrl: smtp.url });
    const { url, port } = server;
    const browser = new FetchAgent(url);
    await browser.get('/portal/');
    const token = browser.csrfToken();
    expect(token).not.toBe('');
    const body = new URLSearchParams({ _csrf: token, loginId: 'in-flight-login', password: 'Wrong#pass1' }).toString();

    // A login whose body is still arriving when the signal comes.
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (b: Buffer) => received.push(b));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /portal/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${browser.cookieHeader()}\r\nOrigin: ${url}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await sleep(300);
    server.child.kill('SIGTERM');
    const signalled = Date.now();

    // New connections are refused …
    await until('new connections to be refused', () => fetch(`${url}/healthz`).then(() => false, () => true), 5000);
    // … while the request in flight is finished and answered in full.
    socket.write(body.slice(10));
    await closed;
    const response = Buffer.concat(received).toString('utf8');
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toContain('ユーザーIDまたはパスワードが正しくありません');
    expect(response.trimEnd()).toMatch(/<\/html>$/);
    // Told to go away, so no keep-alive connection holds the shutdown open.
    expect(response).toMatch(/\r\nConnection: close\r\n/i);

    const exit = await Promise.race([server.exited, sleep(10_000).then(() => 'still running' as const)]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(5000);
    // The database was closed: the last connection checkpoints and removes the WAL file.
    expect(walExists(dataDir)).toBe(false);
    const db = readonly(dataDir);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) FROM attempts WHERE kind = 'login'").pluck().get()).toBe(1);
    db.close();
  }, 60_000);

  it('a client that sends its headers byte by byte is cut off after headersTimeout (10 s), and cannot hold the server meanwhile', async () => {
    const { dataDir } = prepareDataDir(1);
    smtp = await startSmtpServer();
    server = await startServer({ dataDir, smtpUrl: smtp.url });
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    socket.on('error', () => {});
    socket.write('GET /portal/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('x'), 500);
    try {
      // Meanwhile everybody else is served at once.
      for (let i = 0; i < 5; i++) {
        const t = Date.now();
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        expect(Date.now() - t).toBeLessThan(1000);
        await sleep(300);
      }
      const elapsed = await Promise.race([closed, sleep(45_000).then(() => Infinity)]);
      expect(elapsed).toBeGreaterThanOrEqual(9_000);
      expect(elapsed, 'the slow client was cut off only after').toBeLessThan(13_000);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  }, 60_000);
});

describe('starting up', () => {
  it('a port already in use stops the server with a clear message and exit code 1, not a banner', async () => {
    const { dataDir } = prepareDataDir(1);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'server.js')], {
        cwd: REPO_ROOT,
        env: serverEnv({ dataDir, port, smtpUrl: 'smtp://127.0.0.1:25' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(out).toContain(`Cannot listen on 127.0.0.1:${port}`);
      expect(out).not.toContain('is running');
    } finally {
      taken.close();
    }
  }, 30_000);
});

describe('concurrent registry imports in two processes', () => {
  it('two `portal import-members` started together never interleave: the rows all come from one file, the other is refused or runs after', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-import-'));
    dirs.push(dataDir);
    const db = openDatabase(dbFile(dataDir));
    migrate(db);
    insertInsurer(
      db,
      { code: 'racekenpo', name: 'レース健康保険組合', call_center_phone: '0120-000-000', call_center_hours: '平日', call_center_email: 'r@example.jp', office_phone: '03-0000-0000', office_hours: '平日' },
      Date.now(),
    );
    db.close();
    const rows = 20_000;
    const csvA = writeRaceRegistry(dataDir, 'a.csv', rows, 'a.example.jp');
    const csvB = writeRaceRegistry(dataDir, 'b.csv', rows, 'b.example.jp');
    const env = serverEnv({ dataDir, port: 0, smtpUrl: 'smtp://127.0.0.1:25' });

    const [a, b] = await Promise.all([runPortalCli(['import-members', csvA], env), runPortalCli(['import-members', csvB], env)]);

    for (const r of [a, b]) {
      if (r.code !== 0) expect(r.stderr).toMatch(/another import is running.*nothing was imported/);
    }
    expect([a.code, b.code]).toContain(0);
    const check = readonly(dataDir);
    const domains = createReaders(check).emailDomainsOfSymbol77();
    expect(domains).toHaveLength(1);
    expect(domains[0]!.n).toBe(rows);
    expect(check.prepare('SELECT count(*) FROM registry_import_lock').pluck().get()).toBe(0);
    check.close();
  }, 120_000);
});

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { createApp } from '../../src/app.js';
import { runCli } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { TestClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createReaders, type Readers } from './readers.js';
import { startSmtpServer, type TestSmtpServer } from './smtp.js';

export interface TestContext {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  config: Deps['config'];
  db: Deps['db'];
  clock: TestClock;
  smtp: TestSmtpServer;
  /** Named questions to the database (what tests assert on), instead of SQL in the tests. */
  readers: Readers;
  /** Every log line written while the test ran, as JSON strings. */
  logs: string[];
  /** Sends whatever the outbox holds now, through the real SMTP server. */
  deliverMail(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A fresh application for one test file: in-memory SQLite with the real
 * migrations, an injected clock, a real SMTP server on 127.0.0.1, and the
 * logs captured for assertions.
 */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
  const smtp = await startSmtpServer();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    DOCUMENT_KEY: Buffer.alloc(32, 7).toString('base64'),
    BASE_URL: 'http://127.0.0.1',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'no-reply@portal.example.jp',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const db = openDatabase(':memory:');
  migrate(db);
  const clock = new TestClock();
  const mailTransport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const deps = buildDeps({ config, db, clock, logger, mailTransport });
  const app = createApp(deps);
  return {
    app,
    deps,
    config,
    db,
    clock,
    smtp,
    readers: createReaders(db),
    logs,
    deliverMail: () => deps.outbox.drain(),
    async close() {
      await deps.outbox.stop();
      mailTransport.close();
      await smtp.close();
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `portal …` in-process against the test database and clock; returns the exit code and what it printed. */
export async function cli(ctx: Pick<TestContext, 'config' | 'db' | 'clock'>, argv: string[], db = ctx.db): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    config: ctx.config,
    db,
    clock: ctx.clock,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    interactive: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface Listening {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The app behind one real HTTP server on 127.0.0.1:0 for a whole test file.
 * supertest given a listening server reuses it (and keep-alive connections)
 * instead of starting a server per request, which thousands of fuzz requests need.
 */
export async function listen(app: http.RequestListener): Promise<Listening> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

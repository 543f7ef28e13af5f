import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { TestClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { startSmtpServer, type TestSmtpServer } from './smtp.js';

export interface TestContext {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  db: Deps['db'];
  clock: TestClock;
  smtp: TestSmtpServer;
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
    BASE_URL: 'http://127.0.0.1',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'no-reply@portal.example.jp',
    LOG_LEVEL: 'info',
    DOCUMENT_KEY: Buffer.alloc(32, 9).toString('base64'),
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
    db,
    clock,
    smtp,
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

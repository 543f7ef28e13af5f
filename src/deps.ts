import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { OutboxWorker } from './mail/worker.js';

/**
 * Everything the features need, built once by server.ts (or a test) and
 * passed down. Nothing opens a database or a mail transport on import.
 */
export function buildDeps(parts: {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  mailTransport: Transporter;
}) {
  const { config, db, clock, logger, mailTransport } = parts;
  const outbox = new OutboxWorker({ db, clock, logger, transport: mailTransport, from: config.mailFrom });
  return {
    config,
    db,
    clock,
    logger,
    outbox,
    mailDir: path.join(config.dataDir, 'mail'),
  };
}

export type Deps = ReturnType<typeof buildDeps>;

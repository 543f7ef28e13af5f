import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { buildServices, type Services } from '../deps.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';

/** What every command gets: the same config and database as the server, migrated. */
export interface CliContext {
  config: Config;
  db: Db;
  clock: Clock;
  /** The same services the server builds; mails they queue are sent by the server's outbox worker. */
  services: Services;
  /** Progress and results go to stdout; problems to stderr. */
  out: (line: string) => void;
  err: (line: string) => void;
  /** True when stdout is a terminal (progress display). */
  interactive: boolean;
}

export function openCliContext(overrides: Partial<CliContext> = {}): CliContext {
  const config = overrides.config ?? loadConfig();
  const db = overrides.db ?? openDatabase(path.join(config.dataDir, 'portal.db'));
  migrate(db);
  const clock = overrides.clock ?? systemClock;
  return {
    config,
    db,
    clock,
    services: overrides.services ?? buildServices({ config, db, clock, logger: createLogger('warn'), outbox: { kick: () => undefined } }),
    out: overrides.out ?? ((line) => process.stdout.write(line + '\n')),
    err: overrides.err ?? ((line) => process.stderr.write(line + '\n')),
    interactive: overrides.interactive ?? Boolean(process.stdout.isTTY),
  };
}

/** Bad input from the administrator: printed as one line, exit code 1, nothing changed. */
export class UsageError extends Error {}

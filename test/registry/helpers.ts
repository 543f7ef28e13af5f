import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { insertInsurer, type Insurer } from '../../src/features/registry/insurers.js';
import { TestClock } from '../../src/lib/clock.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/registry/', import.meta.url));
export const HEADER = 'insurer_code,symbol,number,birth_date,name,name_kana,email,status';

export interface RegistryContext {
  db: Db;
  clock: TestClock;
  config: Config;
  dir: string;
  insurer: Insurer;
  close(): void;
}

/** A migrated database (in memory unless `file`), the insurer `ungkenpo`, and a scratch folder. */
export function registryContext(options: { file?: boolean } = {}): RegistryContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-registry-'));
  const db = openDatabase(options.file ? path.join(dir, 'portal.db') : ':memory:');
  migrate(db);
  const clock = new TestClock();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, SESSION_SECRET: 'registry-test-secret-that-is-long-enough-0123' });
  const insurer = insertInsurer(
    db,
    {
      code: 'ungkenpo', name: 'U-NEXT HOLDINGS健康保険組合', call_center_phone: '', call_center_hours: '',
      call_center_email: '', office_phone: '', office_hours: '',
    },
    clock.now(),
  );
  return {
    db, clock, config, dir, insurer,
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `portal <argv>` in-process against the context's database and clock. */
export async function portal(ctx: RegistryContext, argv: string[], db: Db = ctx.db): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    config: ctx.config, db, clock: ctx.clock, interactive: false,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let fileSeq = 0;

/** Writes `content` (text as UTF-8, or bytes as given) into the scratch folder and imports it. */
export async function importCsv(ctx: RegistryContext, content: string | Uint8Array, db: Db = ctx.db): Promise<CliRun> {
  const file = writeCsv(ctx, content);
  return portal(ctx, ['import-members', file], db);
}

export function writeCsv(ctx: RegistryContext, content: string | Uint8Array): string {
  fileSeq += 1;
  const file = path.join(ctx.dir, `registry-${fileSeq}.csv`);
  fs.writeFileSync(file, content);
  return file;
}

export function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

export interface MemberRow {
  id: number;
  symbol: string;
  number: string;
  birth_date: string;
  name: string;
  name_kana: string;
  kana_key: string;
  kana_variant_key: string;
  email: string | null;
  status: string;
  signup_locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export function members(db: Db): MemberRow[] {
  return db
    .prepare<[], MemberRow>(
      `SELECT id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key, email, status,
              signup_locked_until, created_at, updated_at
         FROM members ORDER BY symbol, CAST(number AS INTEGER), number`,
    )
    .all();
}

export function memberCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM members').pluck().get() as number;
}

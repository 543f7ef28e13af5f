import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { insertInsurer, type Insurer } from '../../src/features/registry/insurers.js';
import { TestClock } from '../../src/lib/clock.js';
import { cli, type CliRun } from './app.js';
import { createReaders, type Readers } from './readers.js';

/** The member registry CSV (`portal import-members`) and a database without the web app, for the import tests. */

export const FIXTURES = fileURLToPath(new URL('../fixtures/registry/', import.meta.url));
export const HEADER = 'insurer_code,symbol,number,birth_date,name,name_kana,email,status';

export interface RegistryContext {
  db: Db;
  clock: TestClock;
  config: Config;
  readers: Readers;
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
    readers: createReaders(db),
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CSV text: the header, then `rows` as given. */
export function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

let fileSeq = 0;

/** Writes `content` (text as UTF-8, or bytes as given) into `dir` as a new file. */
export function writeCsv(ctx: { dir: string }, content: string | Uint8Array, name = `registry-${++fileSeq}.csv`): string {
  const file = path.join(ctx.dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Writes `content` into the scratch folder and runs `portal import-members` on it. */
export async function importCsv(ctx: RegistryContext, content: string | Uint8Array, db: Db = ctx.db): Promise<CliRun> {
  return cli(ctx, ['import-members', writeCsv(ctx, content)], db);
}

/** A registry CSV of `rows` members of insurer `racekenpo` (記号 77), every address at `domain`. */
export function writeRaceRegistry(dir: string, name: string, rows: number, domain: string): string {
  const lines: string[] = [];
  for (let i = 1; i <= rows; i++) lines.push(`racekenpo,77,${i},1980-01-01,健保 太郎,ケンポ タロウ,m${i}@${domain},active`);
  return writeCsv({ dir }, csv(...lines), name);
}

import type { Db } from '../../../db/database.js';

/**
 * SQL of the member import. Good rows are staged in a scratch database file of their own
 * (written by the staging worker, then attached here as `registry_import`); reasons for bad
 * rows go to a TEMP table of this connection. Neither is in the WAL, neither holds the
 * database's write lock, and no JS array of rows is ever built.
 */

export const STAGING_SCHEMA = 'registry_import';
const STAGED = `${STAGING_SCHEMA}.staged_members`;
const ERRORS = 'temp.registry_import_errors';

/** Run by the worker on its own connection to the scratch file. Rows arrive in file order. */
export const CREATE_STAGED_TABLE = `
  CREATE TABLE staged_members (
    line INTEGER PRIMARY KEY, insurer_id INTEGER NOT NULL, symbol TEXT NOT NULL, number TEXT NOT NULL,
    birth_date TEXT NOT NULL, name TEXT NOT NULL, name_kana TEXT NOT NULL,
    kana_key TEXT NOT NULL, kana_variant_key TEXT, email TEXT, status TEXT NOT NULL
  )`;

/**
 * Values per staged row, in the column order above. An empty email means none; an empty
 * variant key means "the same as the primary key" (true of almost every name, and one
 * string less to pass between threads for each row).
 */
export const STAGED_ROW_VALUES = 11;
export const STAGED_ROW_SQL = "(?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?)";

export function insertStagedSql(rows: number): string {
  return `INSERT INTO staged_members VALUES ${Array(rows).fill(STAGED_ROW_SQL).join(', ')}`;
}

export function attachStaging(db: Db, file: string): void {
  db.prepare(`ATTACH DATABASE ? AS ${STAGING_SCHEMA}`).run(file);
  // Scratch data: a crash loses nothing that matters, so no journal and no fsync.
  db.pragma(`${STAGING_SCHEMA}.journal_mode = OFF`);
  db.pragma(`${STAGING_SCHEMA}.synchronous = OFF`);
}

export function detachStaging(db: Db): void {
  const attached = db.prepare('SELECT 1 FROM pragma_database_list WHERE name = ?').get(STAGING_SCHEMA);
  if (attached) db.exec(`DETACH DATABASE ${STAGING_SCHEMA}`);
}

/** Sorting once beats keeping an index in order row by row; duplicates then sit side by side. */
export function indexStagedRows(db: Db): void {
  db.exec(`CREATE INDEX ${STAGING_SCHEMA}.staged_members_by_card ON staged_members (insurer_id, symbol, number)`);
}

export function createErrorTable(db: Db): void {
  dropErrorTable(db);
  db.exec(`CREATE TABLE ${ERRORS} (line INTEGER NOT NULL, reason TEXT NOT NULL)`);
}

export function dropErrorTable(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${ERRORS}`);
}

export function errorWriter(db: Db): (line: number, reason: string) => void {
  const insert = db.prepare(`INSERT INTO ${ERRORS} (line, reason) VALUES (?, ?)`);
  return (line, reason) => void insert.run(line, reason);
}

export interface DuplicateGroup {
  insurerId: number;
  symbol: string;
  number: string;
  /** Every line of the file with this card, ascending. */
  lines: number[];
}

/** Rows of the file that share a canonical (insurer, 記号, 番号). */
export function findDuplicateKeys(db: Db): DuplicateGroup[] {
  return db
    .prepare<[], { insurerId: number; symbol: string; number: string; lines: string }>(
      `SELECT insurer_id AS insurerId, symbol, number, group_concat(line) AS lines
         FROM ${STAGED} GROUP BY insurer_id, symbol, number HAVING count(*) > 1`,
    )
    .all()
    .map((g) => ({ ...g, lines: g.lines.split(',').map(Number).sort((a, b) => a - b) }));
}

export interface BadRow {
  line: number;
  reason: string;
}

/** The first `limit` bad rows in line order (a row's several reasons joined), and how many there are. */
export function listBadRows(db: Db, limit: number): { rows: BadRow[]; total: number } {
  const rows = db
    .prepare<[number], BadRow>(
      `SELECT line, group_concat(reason, ' / ') AS reason FROM ${ERRORS} GROUP BY line ORDER BY line LIMIT ?`,
    )
    .all(limit);
  const total = db.prepare(`SELECT count(DISTINCT line) FROM ${ERRORS}`).pluck().get() as number;
  return { rows, total };
}

export function countMembers(db: Db): number {
  return db.prepare('SELECT count(*) FROM members').pluck().get() as number;
}

/** Does the registry hold any member of these insurers yet? */
export function hasMembersOf(db: Db, insurerIds: Iterable<number>): boolean {
  const any = db.prepare<[number], number>('SELECT EXISTS (SELECT 1 FROM members WHERE insurer_id = ?)').pluck();
  for (const id of insurerIds) if (any.get(id) === 1) return true;
  return false;
}

/**
 * Inserts new members and updates changed ones in one statement. A member whose every
 * registry field (and so its kana keys) is equal is left alone, updated_at included; the
 * columns the portal owns (signup locks, ids, accounts) are never touched. Rows go in card
 * order when the staged rows are indexed by card (appends to the unique index), else in file
 * order. Returns the number of rows inserted or updated.
 */
export function upsertStagedMembers(db: Db, now: number, order: 'card' | 'file'): number {
  return db
    .prepare(
      `INSERT INTO members (insurer_id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key,
                            email, status, created_at, updated_at)
       SELECT insurer_id, symbol, number, birth_date, name, name_kana, kana_key, coalesce(kana_variant_key, kana_key),
              email, status, @now, @now
         FROM ${STAGED} WHERE true ORDER BY ${order === 'card' ? 'insurer_id, symbol, number' : 'line'}
       ON CONFLICT (insurer_id, symbol, number) DO UPDATE SET
         birth_date = excluded.birth_date, name = excluded.name, name_kana = excluded.name_kana,
         kana_key = excluded.kana_key, kana_variant_key = excluded.kana_variant_key,
         email = excluded.email, status = excluded.status, updated_at = excluded.updated_at
       WHERE members.birth_date IS NOT excluded.birth_date OR members.name IS NOT excluded.name
          OR members.name_kana IS NOT excluded.name_kana OR members.email IS NOT excluded.email
          OR members.status IS NOT excluded.status OR members.kana_key IS NOT excluded.kana_key
          OR members.kana_variant_key IS NOT excluded.kana_variant_key`,
    )
    .run({ now }).changes;
}

/** The members table's secondary indexes (not the unique key the upsert needs), as created. */
export function secondaryMemberIndexes(db: Db): { name: string; sql: string }[] {
  return db
    .prepare<[], { name: string; sql: string }>(
      `SELECT name, sql FROM main.sqlite_master
        WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'`,
    )
    .all();
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies every numbered `migrations/NNNN_name.sql` not yet recorded, each in
 * its own transaction. Forward-only: a landed file is never edited.
 */
export function migrate(db: Db, dir = MIGRATIONS_DIR): MigrationResult {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`);
  const done = new Set(
    db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[],
  );
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    if (FOREIGN_KEYS_OFF.test(sql)) applyWithoutForeignKeys(db, file, sql);
    else {
      db.transaction(() => {
        db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (name) VALUES (?)').run(file);
      }).immediate();
    }
    applied.push(file);
  }
  return { applied };
}

/** A first line `-- migrate: foreign_keys off` asks for a table rebuild's procedure. */
const FOREIGN_KEYS_OFF = /^-- migrate: foreign_keys off\s*$/m;

/**
 * SQLite's procedure for changes ALTER TABLE cannot make (a CHECK, a column type):
 * foreign keys off (which only works outside a transaction), the rebuild in one
 * transaction, `foreign_key_check` before committing so no dangling reference can
 * land, and foreign keys back on whatever happened.
 */
function applyWithoutForeignKeys(db: Db, file: string, sql: string): void {
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      db.exec(sql);
      const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
      if (broken.length > 0) {
        const first = broken[0]!;
        throw new Error(`${file}: ${broken.length} rows would point nowhere (first: ${first.table} row ${first.rowid} → ${first.parent})`);
      }
      db.prepare('INSERT INTO schema_migrations (name) VALUES (?)').run(file);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

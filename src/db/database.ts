import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the portal's SQLite database with the pragmas every connection needs.
 * `:memory:` gives a private database (tests); a file path gives WAL mode so
 * readers never wait for the writer.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') createPrivately(file);
  const db = new Database(file);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    keepPrivate(file);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // NORMAL is durable in WAL mode except for the last commits on power loss, not on a process crash.
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * The database holds members' personal data: only the service's own user may read it.
 * The file is created 0600 before SQLite opens it, and SQLite gives its `-wal` and
 * `-shm` files the mode of the database file.
 */
function createPrivately(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

/** A database created before this rule (or copied in) is made private too, with its companions. */
function keepPrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * better-sqlite3 builds four wrapper functions on every `db.transaction(fn)` (5–7 µs a call and
 * 2.5 KiB for the GC, measured): one transaction per connection runs the work it is handed
 * instead. A nested call becomes a savepoint, as before.
 */
const runners = new WeakMap<Db, Database.Transaction<(work: () => unknown) => unknown>>();

/** Runs `fn` in an IMMEDIATE transaction: the write lock is taken up front, so two writers never deadlock. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  let run = runners.get(db);
  if (!run) runners.set(db, (run = db.transaction((work: () => unknown) => work())));
  return run.immediate(fn) as T;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, compiled once per connection and reused: for query
 * helpers called on every request (the layout's insurer, for one) that have no
 * feature-level `create…Queries(db)` to hold their statements.
 */
export function cachedStatement<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  let byText = statementCache.get(db);
  if (!byText) statementCache.set(db, (byText = new Map()));
  let statement = byText.get(sql);
  if (!statement) byText.set(sql, (statement = db.prepare(sql)));
  return statement as unknown as Database.Statement<P, R>;
}

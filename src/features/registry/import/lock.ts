import os from 'node:os';
import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { formatDateTime } from '../../../lib/time.js';
import { newUrlToken } from '../../../lib/tokens.js';

/** Another import holds the lock; the message says which and since when. */
export class ImportBusyError extends Error {}

export interface ImportLock {
  token: string;
}

interface LockRow {
  host: string;
  pid: number;
  source: string;
  started_at: number;
}

/**
 * One import at a time (migrations/0003_registry.sql). The second is refused at once rather
 * than queued: an administrator who started the same file twice wants to know, not wait.
 * A lock whose process is gone (killed, crashed) is taken over.
 */
export function acquireImportLock(db: Db, clock: Clock, source: string): ImportLock {
  const token = newUrlToken();
  const host = os.hostname();
  inTransaction(db, () => {
    const held = db
      .prepare<[], LockRow>('SELECT host, pid, source, started_at FROM registry_import_lock WHERE id = 1')
      .get();
    if (held && isAlive(held, host)) {
      throw new ImportBusyError(
        `another import is running (${held.source}, started ${formatDateTime(held.started_at)} by process ${held.pid} on ${held.host}); ` +
          'wait for it to finish and run this import again',
      );
    }
    db.prepare(
      `INSERT OR REPLACE INTO registry_import_lock (id, host, pid, token, source, started_at) VALUES (1, ?, ?, ?, ?, ?)`,
    ).run(host, process.pid, token, source, clock.now());
  });
  return { token };
}

export function releaseImportLock(db: Db, lock: ImportLock): void {
  db.prepare('DELETE FROM registry_import_lock WHERE id = 1 AND token = ?').run(lock.token);
}

/** On this host a dead pid means a dead import; another host's process cannot be checked. */
function isAlive(held: LockRow, host: string): boolean {
  if (held.host !== host) return true;
  try {
    process.kill(held.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

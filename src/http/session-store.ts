import session from 'express-session';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';

type SessionRow = { sess: string };

/**
 * express-session store in the portal's own SQLite database, so sessions
 * survive a restart and a password change can end every session of a person.
 * Expiry follows the injected clock: a row lives `lifetimeMs` after its last write; the
 * session middleware enforces the idle and absolute limits from the times the session holds.
 * No `touch`: a request that changes nothing writes nothing.
 */
export class SqliteSessionStore extends session.Store {
  private readonly getStmt;
  private readonly setStmt;
  private readonly destroyStmt;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
  ) {
    super();
    this.getStmt = db.prepare<[string, number], SessionRow>(
      'SELECT sess FROM sessions WHERE sid = ? AND expires_at > ?',
    );
    this.setStmt = db.prepare(
      `INSERT INTO sessions (sid, sess, expires_at, account_id, staff_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expires_at = excluded.expires_at,
         account_id = excluded.account_id, staff_id = excluded.staff_id`,
    );
    this.destroyStmt = db.prepare('DELETE FROM sessions WHERE sid = ?');
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    try {
      const row = this.getStmt.get(sid, this.clock.now());
      cb(null, row ? (JSON.parse(row.sess) as session.SessionData) : null);
    } catch (err) {
      cb(err);
    }
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    try {
      const now = this.clock.now();
      // A session's first save is its start, for the idle and absolute limits.
      if (sess.startedAt === undefined) {
        sess.startedAt = now;
        sess.lastSeenAt = now;
      }
      this.setStmt.run(
        sid,
        JSON.stringify(sess),
        now + this.lifetimeMs,
        sess.accountId ?? null,
        sess.staffId ?? null,
      );
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    try {
      this.destroyStmt.run(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }
}

/** Ends every session of a member account (password change or reset), optionally keeping one. */
export function destroyAccountSessions(db: Db, accountId: number, exceptSid?: string): number {
  return db
    .prepare('DELETE FROM sessions WHERE account_id = ? AND sid IS NOT ?')
    .run(accountId, exceptSid ?? null).changes;
}

/** Ends every session of a staff member (disable, lock, password change). */
export function destroyStaffSessions(db: Db, staffId: number, exceptSid?: string): number {
  return db
    .prepare('DELETE FROM sessions WHERE staff_id = ? AND sid IS NOT ?')
    .run(staffId, exceptSid ?? null).changes;
}

/** Removes expired rows; called periodically by the server. */
export function pruneExpiredSessions(db: Db, clock: Clock): number {
  return db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(clock.now()).changes;
}

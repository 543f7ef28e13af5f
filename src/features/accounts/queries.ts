import type { Db } from '../../db/database.js';
import type { SignedInMember } from '../../http/member-guard.js';

/** What the lifecycle reads of an account (never handed to a template). */
export interface AccountRow {
  id: number;
  member_id: number;
  insurer_id: number;
  login_id: string;
  email: string;
  member_name: string;
  password_hash: string;
  status: 'active' | 'closed';
  failed_logins: number;
  locked_until: number | null;
  password_changed_at: number | null;
}

/** The signed-in member as pages behind login see them (never the password hash): the shape the member guard admits. */
export type SignedInAccount = SignedInMember;

export type CloseReason = 'yearly_reset' | 'staff';

const COLUMNS = `a.id, a.member_id, m.insurer_id, a.login_id, a.email, m.name AS member_name, a.password_hash, a.status,
  a.failed_logins, a.locked_until, a.password_changed_at`;

/** The accounts table's SQL, prepared once. login_id is COLLATE NOCASE: `=` ignores case. */
export function createAccountQueries(db: Db) {
  const activeByLoginId = db.prepare<[string], AccountRow>(
    `SELECT ${COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.login_id = ? AND a.status = 'active'`,
  );
  const byId = db.prepare<[number], AccountRow>(`SELECT ${COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.id = ?`);
  const activeOfMember = db.prepare<[number], AccountRow>(
    `SELECT ${COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.member_id = ? AND a.status = 'active'`,
  );
  const signedIn = db.prepare<[number], SignedInAccount>(
    `SELECT a.id AS accountId, a.member_id AS memberId, m.insurer_id AS insurerId, a.login_id AS loginId,
       a.email, m.name AS memberName, a.last_login_at AS lastLoginAt, a.previous_login_at AS previousLoginAt,
       a.password_changed_at AS passwordChangedAt
     FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.id = ? AND a.status = 'active'`,
  );
  const insert = db.prepare(
    `INSERT INTO accounts (member_id, login_id, password_hash, email, status, password_changed_at, created_at)
     VALUES (@memberId, @loginId, @passwordHash, @email, 'active', @now, @now)`,
  );
  const loginIdActive = db.prepare<[string], number>(`SELECT count(*) FROM accounts WHERE login_id = ? AND status = 'active'`).pluck();
  const setFailures = db.prepare<[number, number | null, number]>('UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE id = ?');
  const recordSuccess = db.prepare<[number, number]>(
    `UPDATE accounts SET failed_logins = 0, locked_until = NULL, previous_login_at = last_login_at, last_login_at = ? WHERE id = ?`,
  );
  const updatePassword = db.prepare<[string, number, number]>(
    `UPDATE accounts SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL
     WHERE id = ? AND status = 'active'`,
  );
  const updateEmail = db.prepare<[string, number]>("UPDATE accounts SET email = ? WHERE id = ? AND status = 'active'");
  const unlock = db.prepare<[number]>('UPDATE accounts SET locked_until = NULL, failed_logins = 0 WHERE id = ?');
  const close = db.prepare<[number, string, number | null, number]>(
    `UPDATE accounts SET status = 'closed', closed_at = ?, closed_reason = ?, closed_by_staff_id = ? WHERE id = ? AND status = 'active'`,
  );
  const activeIdsOfInsurer = db
    .prepare<[number], number>(`SELECT a.id FROM accounts a JOIN members m ON m.id = a.member_id WHERE m.insurer_id = ? AND a.status = 'active'`)
    .pluck();
  // What an account carries that must not outlive a password change or its closing.
  const voidResetLinks = db.prepare<[number, number]>(
    'UPDATE password_resets SET voided_at = ? WHERE account_id = ? AND used_at IS NULL AND voided_at IS NULL',
  );
  const voidOpenCodes = db.prepare<[number, number]>(
    'UPDATE email_codes SET voided_at = ? WHERE account_id = ? AND consumed_at IS NULL AND voided_at IS NULL',
  );

  return {
    activeByLoginId: (loginId: string) => activeByLoginId.get(loginId),
    byId: (id: number) => byId.get(id),
    activeOfMember: (memberId: number) => activeOfMember.get(memberId),
    /** The account behind a session, only while it is active. */
    signedIn: (accountId: number) => signedIn.get(accountId),
    insert: (a: { memberId: number; loginId: string; passwordHash: string; email: string; now: number }) =>
      Number(insert.run(a).lastInsertRowid),
    loginIdActive: (loginId: string) => (loginIdActive.get(loginId) ?? 0) > 0,
    setFailures: (id: number, failedLogins: number, lockedUntil: number | null) => {
      setFailures.run(failedLogins, lockedUntil, id);
    },
    /** Clears the failure count and shifts the login times (this one becomes "previous" next time). */
    recordSuccess: (id: number, now: number) => {
      recordSuccess.run(now, id);
    },
    updatePassword: (id: number, hash: string, now: number) => updatePassword.run(hash, now, id).changes === 1,
    updateEmail: (id: number, email: string) => updateEmail.run(email, id).changes === 1,
    unlock: (id: number) => {
      unlock.run(id);
    },
    close: (id: number, now: number, reason: CloseReason, staffId: number | null) => close.run(now, reason, staffId, id).changes === 1,
    activeIdsOfInsurer: (insurerId: number) => activeIdsOfInsurer.all(insurerId),
    voidResetLinks: (id: number, now: number) => voidResetLinks.run(now, id).changes,
    voidOpenCodes: (id: number, now: number) => voidOpenCodes.run(now, id).changes,
  };
}

export type AccountQueries = ReturnType<typeof createAccountQueries>;

import type { Db } from '../../db/database.js';

/** What the login check reads of an account (active or, for the yearly-reset message, closed). */
export interface LoginAccountRow {
  id: number;
  member_id: number;
  insurer_id: number;
  password_hash: string;
  status: 'active' | 'closed';
  failed_logins: number;
  locked_until: number | null;
  closed_reason: string | null;
}

/** The signed-in member as pages behind login see them (never the password hash). */
export interface SignedInAccount {
  accountId: number;
  memberId: number;
  insurerId: number;
  loginId: string;
  email: string;
  memberName: string;
  lastLoginAt: number | null;
  previousLoginAt: number | null;
  passwordChangedAt: number | null;
}

const LOGIN_COLUMNS =
  'a.id, a.member_id, m.insurer_id, a.password_hash, a.status, a.failed_logins, a.locked_until, a.closed_reason';

/** The login feature's SQL, prepared once (accounts_active_login_id, accounts_by_login_id, attempts_by_ip). */
export function createLoginQueries(db: Db) {
  const activeByLoginId = db.prepare<[string], LoginAccountRow>(
    `SELECT ${LOGIN_COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.login_id = ? AND a.status = 'active'`,
  );
  const newestClosedByLoginId = db.prepare<[string], LoginAccountRow>(
    `SELECT ${LOGIN_COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.login_id = ? AND a.status = 'closed' ORDER BY a.closed_at DESC, a.id DESC LIMIT 1`,
  );
  const byId = db.prepare<[number], LoginAccountRow>(
    `SELECT ${LOGIN_COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.id = ?`,
  );
  const signedIn = db.prepare<[number], SignedInAccount>(
    `SELECT a.id AS accountId, a.member_id AS memberId, m.insurer_id AS insurerId, a.login_id AS loginId,
       a.email, m.name AS memberName, a.last_login_at AS lastLoginAt, a.previous_login_at AS previousLoginAt,
       a.password_changed_at AS passwordChangedAt
     FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.id = ? AND a.status = 'active'`,
  );
  const addressFailures = db.prepare<[string, number], number>(
    `SELECT count(*) FROM attempts WHERE client_ip = ? AND kind = 'login' AND success = 0 AND at > ?`,
  );
  addressFailures.pluck();
  const setFailures = db.prepare<[number, number | null, number]>(
    'UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE id = ?',
  );
  const recordSuccess = db.prepare<[number, number]>(
    `UPDATE accounts SET failed_logins = 0, locked_until = NULL,
       previous_login_at = last_login_at, last_login_at = ? WHERE id = ?`,
  );
  const activeIdsOfInsurer = db.prepare<[number], number>(
    `SELECT a.id FROM accounts a JOIN members m ON m.id = a.member_id WHERE m.insurer_id = ? AND a.status = 'active'`,
  );
  activeIdsOfInsurer.pluck();
  const close = db.prepare<[number, string, number]>(
    `UPDATE accounts SET status = 'closed', closed_at = ?, closed_reason = ? WHERE id = ? AND status = 'active'`,
  );
  const insertAttempt = db.prepare<[number, number | null, number | null, string, number]>(
    `INSERT INTO attempts (kind, success, member_id, account_id, client_ip, at) VALUES ('login', ?, ?, ?, ?, ?)`,
  );

  return {
    activeByLoginId: (loginId: string) => activeByLoginId.get(loginId),
    newestClosedByLoginId: (loginId: string) => newestClosedByLoginId.get(loginId),
    byId: (id: number) => byId.get(id),
    /** The account behind a session, only while it is active. */
    signedIn: (accountId: number) => signedIn.get(accountId),
    addressFailuresSince: (clientIp: string, since: number) => addressFailures.get(clientIp, since) ?? 0,
    setFailures: (id: number, failedLogins: number, lockedUntil: number | null) => {
      setFailures.run(failedLogins, lockedUntil, id);
    },
    /** Clears the failure count and shifts the login times (this one becomes "previous" next time). */
    recordSuccess: (id: number, now: number) => {
      recordSuccess.run(now, id);
    },
    activeIdsOfInsurer: (insurerId: number) => activeIdsOfInsurer.all(insurerId),
    /** Closes an active account; the row stays as history. */
    close: (id: number, now: number, reason: 'yearly_reset') => close.run(now, reason, id).changes === 1,
    recordAttempt: (a: { success: boolean; memberId: number | null; accountId: number | null; clientIp: string; at: number }) => {
      insertAttempt.run(a.success ? 1 : 0, a.memberId, a.accountId, a.clientIp, a.at);
    },
  };
}

export type LoginQueries = ReturnType<typeof createLoginQueries>;

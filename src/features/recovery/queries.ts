import type { Db } from '../../db/database.js';

/** An active account with what recovery mails need. */
export interface RecoveryAccount {
  id: number;
  member_id: number;
  insurer_id: number;
  login_id: string;
  email: string;
  member_name: string;
}

export interface PasswordResetRow {
  id: number;
  account_id: number;
  expires_at: number;
  used_at: number | null;
  voided_at: number | null;
}

const ACCOUNT_COLUMNS = 'a.id, a.member_id, m.insurer_id, a.login_id, a.email, m.name AS member_name';

/** The recovery pages' SQL, prepared once. */
export function createRecoveryQueries(db: Db) {
  const activeByLoginId = db.prepare<[string], RecoveryAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.login_id = ? AND a.status = 'active'`,
  );
  const activeById = db.prepare<[number], RecoveryAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts a JOIN members m ON m.id = a.member_id
     WHERE a.id = ? AND a.status = 'active'`,
  );
  const resetsSince = db.prepare<[number, number], number>(
    'SELECT count(*) FROM password_resets WHERE account_id = ? AND created_at > ?',
  );
  resetsSince.pluck();
  const voidOpenResets = db.prepare<[number, number]>(
    'UPDATE password_resets SET voided_at = ? WHERE account_id = ? AND used_at IS NULL AND voided_at IS NULL',
  );
  const insertReset = db.prepare<[number, string, number, number]>(
    'INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)',
  );
  const updatePassword = db.prepare<[string, number, number]>(
    `UPDATE accounts SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL
     WHERE id = ?`,
  );
  const resetByHash = db.prepare<[string], PasswordResetRow>(
    'SELECT id, account_id, expires_at, used_at, voided_at FROM password_resets WHERE token_hash = ?',
  );
  const markUsed = db.prepare<[number, number, number]>(
    'UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?',
  );
  const addressAttempts = db.prepare<[string, string, number], number>(
    'SELECT count(*) FROM attempts WHERE client_ip = ? AND kind = ? AND at > ?',
  );
  addressAttempts.pluck();
  const insertAttempt = db.prepare<[string, number, number | null, number | null, string, number]>(
    'INSERT INTO attempts (kind, success, member_id, account_id, client_ip, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const mailsSince = db.prepare<[number, string, number], number>(
    'SELECT count(*) FROM outbox WHERE member_id = ? AND kind = ? AND created_at > ?',
  );
  mailsSince.pluck();

  return {
    activeByLoginId: (loginId: string) => activeByLoginId.get(loginId),
    activeById: (id: number) => activeById.get(id),
    resetsSince: (accountId: number, since: number) => resetsSince.get(accountId, since) ?? 0,
    voidOpenResets: (accountId: number, now: number) => voidOpenResets.run(now, accountId).changes,
    insertReset: (r: { accountId: number; tokenHash: string; now: number; expiresAt: number }) =>
      Number(insertReset.run(r.accountId, r.tokenHash, r.now, r.expiresAt).lastInsertRowid),
    /** New hash; a new password also clears the failure count and any lock. */
    updatePassword: (accountId: number, hash: string, now: number) => {
      updatePassword.run(hash, now, accountId);
    },
    resetByHash: (tokenHash: string) => resetByHash.get(tokenHash),
    /** True when this call used the link (still open and in time); false when it was already spent. */
    markUsed: (id: number, now: number) => markUsed.run(now, id, now).changes === 1,
    addressAttemptsSince: (kind: 'password_forgot', clientIp: string, since: number) =>
      addressAttempts.get(clientIp, kind, since) ?? 0,
    recordAttempt: (a: {
      kind: 'password_forgot';
      success: boolean;
      memberId: number | null;
      accountId: number | null;
      clientIp: string;
      at: number;
    }) => {
      insertAttempt.run(a.kind, a.success ? 1 : 0, a.memberId, a.accountId, a.clientIp, a.at);
    },
    mailsSince: (memberId: number, kind: string, since: number) => mailsSince.get(memberId, kind, since) ?? 0,
  };
}

export type RecoveryQueries = ReturnType<typeof createRecoveryQueries>;

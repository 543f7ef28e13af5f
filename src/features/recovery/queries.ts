import type { Db } from '../../db/database.js';

export interface PasswordResetRow {
  id: number;
  account_id: number;
  expires_at: number;
  used_at: number | null;
  voided_at: number | null;
}

/** The recovery pages' SQL, prepared once. */
export function createRecoveryQueries(db: Db) {
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
  const resetByHash = db.prepare<[string], PasswordResetRow>(
    'SELECT id, account_id, expires_at, used_at, voided_at FROM password_resets WHERE token_hash = ?',
  );
  const markUsed = db.prepare<[number, number, number]>(
    'UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?',
  );
  const mailsSince = db.prepare<[number, string, number], number>(
    'SELECT count(*) FROM outbox WHERE member_id = ? AND kind = ? AND created_at > ?',
  );
  mailsSince.pluck();

  return {
    resetsSince: (accountId: number, since: number) => resetsSince.get(accountId, since) ?? 0,
    voidOpenResets: (accountId: number, now: number) => voidOpenResets.run(now, accountId).changes,
    insertReset: (r: { accountId: number; tokenHash: string; now: number; expiresAt: number }) =>
      Number(insertReset.run(r.accountId, r.tokenHash, r.now, r.expiresAt).lastInsertRowid),
    resetByHash: (tokenHash: string) => resetByHash.get(tokenHash),
    /** True when this call used the link (still open and in time); false when it was already spent. */
    markUsed: (id: number, now: number) => markUsed.run(now, id, now).changes === 1,
    mailsSince: (memberId: number, kind: string, since: number) => mailsSince.get(memberId, kind, since) ?? 0,
  };
}

export type RecoveryQueries = ReturnType<typeof createRecoveryQueries>;

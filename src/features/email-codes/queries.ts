import type { Db } from '../../db/database.js';

export type CodePurpose = 'signup' | 'email_change';

/** An e-mail code row, without its hash unless asked for. */
export interface EmailCodeRow {
  id: number;
  purpose: CodePurpose;
  member_id: number;
  registration_id: number | null;
  account_id: number | null;
  email: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  failed_attempts: number;
  consumed_at: number | null;
  voided_at: number | null;
}

const COLUMNS =
  'id, purpose, member_id, registration_id, account_id, email, code_hash, created_at, expires_at, failed_attempts, consumed_at, voided_at';

/** The e-mail codes' SQL, prepared once (email_codes_by_member serves every look-up). */
export function createEmailCodeQueries(db: Db) {
  const newest = db.prepare<[number, CodePurpose], EmailCodeRow>(
    `SELECT ${COLUMNS} FROM email_codes WHERE member_id = ? AND purpose = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const newestOpen = db.prepare<[number, CodePurpose], EmailCodeRow>(
    `SELECT ${COLUMNS} FROM email_codes
     WHERE member_id = ? AND purpose = ? AND consumed_at IS NULL AND voided_at IS NULL
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const createdSince = db.prepare<[number, CodePurpose, number], number>(
    'SELECT created_at FROM email_codes WHERE member_id = ? AND purpose = ? AND created_at > ? ORDER BY created_at',
  );
  createdSince.pluck();
  const voidOpen = db.prepare<[number, number, CodePurpose]>(
    `UPDATE email_codes SET voided_at = ?
     WHERE member_id = ? AND purpose = ? AND consumed_at IS NULL AND voided_at IS NULL`,
  );
  const insert = db.prepare(
    `INSERT INTO email_codes (purpose, member_id, registration_id, account_id, email, code_hash, created_at, expires_at)
     VALUES (@purpose, @memberId, @registrationId, @accountId, @email, @codeHash, @createdAt, @expiresAt)`,
  );
  const addFailure = db.prepare<[number, number, number]>(
    // Voids the code in the same statement when this failure reaches the limit.
    `UPDATE email_codes SET failed_attempts = failed_attempts + 1,
       voided_at = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE voided_at END
     WHERE id = ?`,
  );
  const consume = db.prepare<[number, number, number]>(
    `UPDATE email_codes SET consumed_at = ?
     WHERE id = ? AND consumed_at IS NULL AND voided_at IS NULL AND expires_at > ?`,
  );
  return {
    newest: (memberId: number, purpose: CodePurpose) => newest.get(memberId, purpose),
    newestOpen: (memberId: number, purpose: CodePurpose) => newestOpen.get(memberId, purpose),
    /** Creation times of this member's codes of `purpose` after `since`, oldest first. */
    createdSince: (memberId: number, purpose: CodePurpose, since: number) => createdSince.all(memberId, purpose, since),
    voidOpen: (memberId: number, purpose: CodePurpose, now: number) => voidOpen.run(now, memberId, purpose).changes,
    insert: (c: {
      purpose: CodePurpose;
      memberId: number;
      registrationId: number | null;
      accountId: number | null;
      email: string;
      codeHash: string;
      createdAt: number;
      expiresAt: number;
    }) => Number(insert.run(c).lastInsertRowid),
    addFailure: (id: number, limit: number, now: number) => addFailure.run(limit, now, id),
    consume: (id: number, now: number) => consume.run(now, id, now).changes === 1,
  };
}

import type { Db } from '../../db/database.js';
import type { Insurer } from '../registry/insurers.js';
import { MEMBER_COLUMNS, type Member } from '../registry/members.js';

/** A registry row with what the identity check compares and counts. */
export interface MemberForIdentity extends Member {
  kana_key: string;
  kana_variant_key: string;
  signup_unlocked_at: number | null;
}

export interface ActiveAccountSummary {
  id: number;
  login_id: string;
  email: string;
}

/**
 * The identity check's SQL, prepared once: the check runs on every step-1 submit and
 * must stay a handful of indexed look-ups (members UNIQUE (insurer_id, symbol, number),
 * accounts_one_active_per_member); its failures are counted by the attempts ledger.
 */
export function createIdentityQueries(db: Db) {
  // The 8-digit 保険者番号 printed on cards is accepted as an alias of the code (migration 0007).
  const insurerByCode = db.prepare<[string, string], Insurer>(
    `SELECT id, code, name, call_center_phone, call_center_hours, call_center_email, office_phone, office_hours
     FROM insurers WHERE code = ? OR insurer_number = ?`,
  );
  const memberByCard = db.prepare<[number, string, string], MemberForIdentity>(
    `SELECT ${MEMBER_COLUMNS}, kana_key, kana_variant_key, signup_unlocked_at
     FROM members WHERE insurer_id = ? AND symbol = ? AND number = ?`,
  );
  const activeAccount = db.prepare<[number], ActiveAccountSummary>(
    `SELECT id, login_id, email FROM accounts WHERE member_id = ? AND status = 'active'`,
  );
  const lockMember = db.prepare<[number, number, number]>(
    'UPDATE members SET signup_locked_until = ?, updated_at = ? WHERE id = ?',
  );

  return {
    insurerByCode: (code: string) => insurerByCode.get(code, code),
    memberByCard: (insurerId: number, symbol: string, number: string) => memberByCard.get(insurerId, symbol, number),
    activeAccount: (memberId: number) => activeAccount.get(memberId),
    lockMember: (memberId: number, until: number, now: number) => {
      lockMember.run(until, now, memberId);
    },
  };
}

export type IdentityQueries = ReturnType<typeof createIdentityQueries>;

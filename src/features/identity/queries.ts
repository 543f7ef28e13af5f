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

/** Identity-check failures of either page count together: both test the same fields. */
const IDENTITY_KINDS = "('identity', 'userid_forgot')";

/**
 * The identity check's SQL, prepared once: the check runs on every step-1 submit and
 * must stay a handful of indexed look-ups (members UNIQUE (insurer_id, symbol, number),
 * attempts_by_member, attempts_by_ip, accounts_one_active_per_member).
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
  const memberFailures = db.prepare<[number, number], number>(
    `SELECT count(*) FROM attempts
     WHERE member_id = ? AND kind IN ${IDENTITY_KINDS} AND success = 0 AND at > ?`,
  );
  const addressFailures = db.prepare<[string, number], number>(
    `SELECT count(*) FROM attempts
     WHERE client_ip = ? AND kind IN ${IDENTITY_KINDS} AND success = 0 AND at > ?`,
  );
  const insertAttempt = db.prepare<[string, number, number | null, string, number]>(
    'INSERT INTO attempts (kind, success, member_id, client_ip, at) VALUES (?, ?, ?, ?, ?)',
  );
  const lockMember = db.prepare<[number, number, number]>(
    'UPDATE members SET signup_locked_until = ?, updated_at = ? WHERE id = ?',
  );
  memberFailures.pluck();
  addressFailures.pluck();

  return {
    insurerByCode: (code: string) => insurerByCode.get(code, code),
    memberByCard: (insurerId: number, symbol: string, number: string) => memberByCard.get(insurerId, symbol, number),
    activeAccount: (memberId: number) => activeAccount.get(memberId),
    /** Failures against one member record after `since` (exclusive). */
    memberFailuresSince: (memberId: number, since: number) => memberFailures.get(memberId, since) ?? 0,
    addressFailuresSince: (clientIp: string, since: number) => addressFailures.get(clientIp, since) ?? 0,
    recordAttempt: (a: { kind: string; success: boolean; memberId: number | null; clientIp: string; at: number }) => {
      insertAttempt.run(a.kind, a.success ? 1 : 0, a.memberId, a.clientIp, a.at);
    },
    lockMember: (memberId: number, until: number, now: number) => {
      lockMember.run(until, now, memberId);
    },
  };
}

export type IdentityQueries = ReturnType<typeof createIdentityQueries>;

import type { Deps } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import { HOUR, MINUTE } from '../../lib/clock.js';
import { kanaKeys, kanaKeysMatch } from '../../lib/kana.js';
import type { Insurer } from '../registry/insurers.js';
import type { Member } from '../registry/members.js';
import { createIdentityQueries, type ActiveAccountSummary, type MemberForIdentity } from './queries.js';
import type { IdentityInput } from './schema.js';

/** DESIGN.md "Limits". */
export const MEMBER_FAILURE_LIMIT = 5;
export const MEMBER_FAILURE_WINDOW_MS = 30 * MINUTE;
export const MEMBER_LOCK_MS = 30 * MINUTE;
export const ADDRESS_FAILURE_LIMIT = 100;
export const ADDRESS_FAILURE_WINDOW_MS = HOUR;

export type IdentityResult =
  | { outcome: 'matched'; member: Member; insurer: Insurer; activeAccount: ActiveAccountSummary | undefined }
  | { outcome: 'no_match' }
  | { outcome: 'member_locked'; until: number; insurer: Insurer }
  | { outcome: 'address_throttled' }
  | { outcome: 'lost'; member: Member; insurer: Insurer };

export interface IdentityCheckContext {
  clientIp: string;
  purpose: 'identity' | 'userid_forgot';
}

/**
 * The identity check of signup step 1 and of the forgotten-ID page: 保険者指定コード,
 * 記号 and 番号 find at most one registry row; birthdate and kana name must then match
 * it. Every check leaves an `attempts` row. Failures are counted per member record
 * (a lock for that record) and per client address (a throttle for that address);
 * successes are never limited, since a company's staff may share one address.
 * No password hashing happens here: the check must stay fast.
 */
export function createIdentityService(deps: Deps) {
  const { db, clock } = deps;
  const q = createIdentityQueries(db);

  function check(input: IdentityInput, ctx: IdentityCheckContext): IdentityResult {
    // One IMMEDIATE transaction: counting, recording and locking cannot interleave
    // with another request's, so the 5th failure locks exactly once.
    return inTransaction(db, (): IdentityResult => {
      const now = clock.now();
      if (q.addressFailuresSince(ctx.clientIp, now - ADDRESS_FAILURE_WINDOW_MS) >= ADDRESS_FAILURE_LIMIT) {
        return { outcome: 'address_throttled' };
      }
      const insurer = q.insurerByCode(input.insurerCode);
      const row = insurer ? q.memberByCard(insurer.id, input.symbol, input.number) : undefined;
      if (insurer && row && row.signup_locked_until !== null && row.signup_locked_until > now) {
        return { outcome: 'member_locked', until: row.signup_locked_until, insurer };
      }
      if (!insurer || !row || !personMatches(row, input)) {
        q.recordAttempt({ kind: ctx.purpose, success: false, memberId: row?.id ?? null, clientIp: ctx.clientIp, at: now });
        if (insurer && row) {
          const locked = lockIfTooManyFailures(row, now);
          if (locked) return { outcome: 'member_locked', until: locked, insurer };
        }
        return { outcome: 'no_match' };
      }
      q.recordAttempt({ kind: ctx.purpose, success: true, memberId: row.id, clientIp: ctx.clientIp, at: now });
      const member = toMember(row);
      if (row.status === 'lost') return { outcome: 'lost', member, insurer };
      return { outcome: 'matched', member, insurer, activeAccount: q.activeAccount(row.id) };
    });
  }

  /** Returns the lock's end when this failure was the 5th within the window. */
  function lockIfTooManyFailures(row: MemberForIdentity, now: number): number | undefined {
    // A supervisor's unlock sets signup_unlocked_at: failures before it stop counting.
    const since = Math.max(now - MEMBER_FAILURE_WINDOW_MS, row.signup_unlocked_at ?? 0);
    if (q.memberFailuresSince(row.id, since) < MEMBER_FAILURE_LIMIT) return undefined;
    const until = now + MEMBER_LOCK_MS;
    q.lockMember(row.id, until, now);
    return until;
  }

  return { check };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** Birthdate exactly; the name by either kana key (DESIGN.md "Kana key"). */
function personMatches(row: MemberForIdentity, input: IdentityInput): boolean {
  if (row.birth_date !== input.birthDate) return false;
  return kanaKeysMatch({ key: row.kana_key, variantKey: row.kana_variant_key }, kanaKeys(input.nameKana));
}

function toMember(row: MemberForIdentity): Member {
  return {
    id: row.id,
    insurer_id: row.insurer_id,
    symbol: row.symbol,
    number: row.number,
    birth_date: row.birth_date,
    name: row.name,
    name_kana: row.name_kana,
    email: row.email,
    status: row.status,
    signup_locked_until: row.signup_locked_until,
  };
}

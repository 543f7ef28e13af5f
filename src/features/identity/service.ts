import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import { HOUR, MINUTE, type Clock } from '../../lib/clock.js';
import type { AddressLimit, AttemptLedger, Mismatch } from '../attempts/service.js';
import { kanaKeys, kanaKeysMatch } from '../../lib/kana.js';
import type { Insurer } from '../registry/insurers.js';
import type { Member } from '../registry/members.js';
import { createIdentityQueries, type ActiveAccountSummary, type MemberForIdentity } from './queries.js';
import type { IdentityInput } from './schema.js';

/** SECURITY.md "Limits as implemented". */
export const MEMBER_FAILURE_LIMIT = 5;
export const MEMBER_FAILURE_WINDOW_MS = 30 * MINUTE;
export const MEMBER_LOCK_MS = 30 * MINUTE;
export const ADDRESS_FAILURE_LIMIT = 100;
export const ADDRESS_FAILURE_WINDOW_MS = HOUR;

export type IdentityResult =
  | { outcome: 'matched'; member: Member; insurer: Insurer; activeAccount: ActiveAccountSummary | undefined }
  | { outcome: 'no_match' }
  | { outcome: 'address_throttled' }
  | { outcome: 'lost'; member: Member; insurer: Insurer };

export interface IdentityCheckContext {
  clientIp: string;
  purpose: 'identity' | 'userid_forgot';
}

/** Identity-check failures of either page count together: both test the same fields. */
const IDENTITY_KINDS = ['identity', 'userid_forgot'] as const;
const ADDRESS_LIMIT: AddressLimit = { kinds: IDENTITY_KINDS, limit: ADDRESS_FAILURE_LIMIT, windowMs: ADDRESS_FAILURE_WINDOW_MS };

/**
 * The identity check of signup step 1 and of the forgotten-ID page: 保険者指定コード,
 * 記号 and 番号 find at most one registry row; birthdate and kana name must then match
 * it. Every check leaves an `attempts` row. Failures are counted per member record
 * (a lock for that record) and per client address (a throttle for that address);
 * successes are never limited, since a company's staff may share one address.
 *
 * A record locked after 5 failures answers exactly like no match, with the same work done:
 * nothing tells a real 記号・番号 from a made-up one. What did not match is recorded for
 * the call center, never shown to the member. No password hashing happens here.
 */
export function createIdentityService(deps: { db: Db; clock: Clock; attempts: AttemptLedger }) {
  const { db, clock, attempts } = deps;
  const q = createIdentityQueries(db);

  function check(input: IdentityInput, ctx: IdentityCheckContext): IdentityResult {
    // One IMMEDIATE transaction: counting, recording and locking cannot interleave
    // with another request's, so the cap holds under a burst and the 5th failure locks once.
    return inTransaction(db, (): IdentityResult => {
      const now = clock.now();
      if (attempts.addressOverLimit(ctx.clientIp, ADDRESS_LIMIT)) return { outcome: 'address_throttled' };
      const insurer = q.insurerByCode(input.insurerCode);
      const row = insurer ? q.memberByCard(insurer.id, input.symbol, input.number) : undefined;
      const mismatch = row ? mismatchOf(row, input) : undefined;
      const locked = row?.signup_locked_until != null && row.signup_locked_until > now;
      if (!insurer || !row || mismatch || locked) {
        attempts.record({ kind: ctx.purpose, success: false, memberId: row?.id ?? null, clientIp: ctx.clientIp, mismatch: mismatch ?? null });
        if (row) lockIfTooManyFailures(row, now, locked);
        return { outcome: 'no_match' };
      }
      attempts.record({ kind: ctx.purpose, success: true, memberId: row.id, clientIp: ctx.clientIp });
      const member = toMember(row);
      if (row.status === 'lost') return { outcome: 'lost', member, insurer };
      return { outcome: 'matched', member, insurer, activeAccount: q.activeAccount(row.id) };
    });
  }

  /** Locks the record for signup when this failure was the 5th within the window (counted while locked too: same work). */
  function lockIfTooManyFailures(row: MemberForIdentity, now: number, alreadyLocked: boolean): void {
    // A supervisor's unlock sets signup_unlocked_at: failures before it stop counting.
    const since = Math.max(now - MEMBER_FAILURE_WINDOW_MS, row.signup_unlocked_at ?? 0);
    const failures = attempts.failuresByMember(row.id, IDENTITY_KINDS, since);
    if (!alreadyLocked && failures >= MEMBER_FAILURE_LIMIT) q.lockMember(row.id, now + MEMBER_LOCK_MS, now);
  }

  return { check };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** What did not match: the birthdate, the name (by either kana key, DESIGN "Kana key"), both, or nothing. */
function mismatchOf(row: MemberForIdentity, input: IdentityInput): Mismatch | undefined {
  const birthdate = row.birth_date !== input.birthDate;
  const name = !kanaKeysMatch({ key: row.kana_key, variantKey: row.kana_variant_key }, kanaKeys(input.nameKana));
  if (birthdate && name) return 'both';
  return birthdate ? 'birthdate' : name ? 'name' : undefined;
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

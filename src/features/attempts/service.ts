import type { Db } from '../../db/database.js';
import { addressKey } from '../../lib/address-key.js';
import type { Clock } from '../../lib/clock.js';
import { createAttemptQueries, type AttemptKind, type Mismatch } from './queries.js';

export type { AttemptKind, Mismatch } from './queries.js';

export interface AttemptRecord {
  kind: AttemptKind;
  success: boolean;
  clientIp: string;
  memberId?: number | null;
  accountId?: number | null;
  staffId?: number | null;
  mismatch?: Mismatch | null;
}

/** A limit on failures from one client address: `limit` within `windowMs`. */
export interface AddressLimit {
  kinds: readonly AttemptKind[];
  limit: number;
  windowMs: number;
}

/**
 * The failure ledger: every counted attempt of the portal (identity checks, logins, codes,
 * recovery, staff sign-ins, login IDs found taken) is one row, and every throttle counts
 * failures here, by member record, account, staff member or client address.
 *
 * A cap holds under concurrency only when it is checked and the attempt recorded in the same
 * transaction, before any slow work: `reserve` does both, recording the attempt as a failure
 * until `succeed` says otherwise, so attempts still hashing a password count against the cap.
 */
export function createAttemptLedger(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const q = createAttemptQueries(db);

  function record(a: AttemptRecord): number {
    return q.insert({ ...a, addressKey: addressKey(a.clientIp), at: clock.now() });
  }

  /** Failures of `kinds` after `since`, for one member record, account, staff member or client address. */
  function failuresByMember(memberId: number, kinds: readonly AttemptKind[], since: number): number {
    return q.failuresSince({ memberId }, kinds, since);
  }
  function failuresByAccount(accountId: number, kinds: readonly AttemptKind[], since: number): number {
    return q.failuresSince({ accountId }, kinds, since);
  }
  function failuresByStaff(staffId: number, kinds: readonly AttemptKind[], since: number): number {
    return q.failuresSince({ staffId }, kinds, since);
  }
  function failuresByAddress(clientIp: string, kinds: readonly AttemptKind[], since: number): number {
    return q.failuresSince({ addressKey: addressKey(clientIp) }, kinds, since);
  }

  /** Every attempt of `kinds` from the client's address after `since`, successes included (requests that send mail). */
  function requestsByAddress(clientIp: string, kinds: readonly AttemptKind[], since: number): number {
    return q.allFromAddressSince(addressKey(clientIp), kinds, since);
  }

  /** Whether the client's address has reached `limit` (checked inside the caller's transaction). */
  function addressOverLimit(clientIp: string, limit: AddressLimit): boolean {
    return failuresByAddress(clientIp, limit.kinds, clock.now() - limit.windowMs) >= limit.limit;
  }

  /**
   * Call INSIDE an IMMEDIATE transaction, before the slow part (a password hash): refuses
   * (undefined) when the address has reached its limit, else records the attempt as a
   * failure and returns its id. Concurrent attempts therefore see each other.
   */
  function reserve(a: Omit<AttemptRecord, 'success'>, limit: AddressLimit): number | undefined {
    if (!db.inTransaction) throw new Error('attempts.reserve() must run inside a transaction');
    if (addressOverLimit(a.clientIp, limit)) return undefined;
    return record({ ...a, success: false });
  }

  /** The reserved attempt turned out a success (it stops counting as a failure). */
  function succeed(attemptId: number): void {
    q.markSucceeded(attemptId);
  }

  return { record, reserve, succeed, addressOverLimit, failuresByMember, failuresByAccount, failuresByStaff, failuresByAddress, requestsByAddress };
}

export type AttemptLedger = ReturnType<typeof createAttemptLedger>;

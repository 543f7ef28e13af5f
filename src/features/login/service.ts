import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import { MINUTE, type Clock } from '../../lib/clock.js';
import { verifyAgainstDummy, verifyPassword } from '../../lib/passwords.js';
import { createLoginQueries, type LoginAccountRow } from './queries.js';

/** DESIGN.md "Limits": 5 failures in a row lock the account for 15 minutes. */
export const LOGIN_FAILURE_LIMIT = 5;
export const LOGIN_LOCK_MS = 15 * MINUTE;
/**
 * Against password spraying (one password tried on many IDs, which the per-account
 * lock never sees): 50 failed logins from one client address within 15 minutes
 * pause logins from that address. Successes are not limited, so an office whose
 * staff share one address is not locked out by its own members.
 */
export const ADDRESS_LOGIN_FAILURE_LIMIT = 50;
export const ADDRESS_LOGIN_WINDOW_MS = 15 * MINUTE;

export type LoginResult =
  | { outcome: 'ok'; accountId: number; insurerId: number }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; until: number }
  | { outcome: 'closed'; reason: 'yearly_reset' | 'staff' }
  | { outcome: 'address_throttled' };

export interface LoginInput {
  loginId: string;
  password: string;
  clientIp: string;
}

/**
 * Login: the active account with this ID (any case) and its password. Every path
 * spends one argon2 verification, so the answer time does not tell an unknown ID
 * from a wrong password; every attempt leaves an `attempts` row.
 */
export function createLoginService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const q = createLoginQueries(db);

  async function login(input: LoginInput): Promise<LoginResult> {
    const started = clock.now();
    if (q.addressFailuresSince(input.clientIp, started - ADDRESS_LOGIN_WINDOW_MS) >= ADDRESS_LOGIN_FAILURE_LIMIT) {
      return { outcome: 'address_throttled' };
    }
    const account = q.activeByLoginId(input.loginId);
    if (account) {
      // Verified even while locked: a locked account must cost the same time as any other.
      const passwordOk = await verifyPassword(account.password_hash, input.password);
      return settleActive(account.id, passwordOk, input.clientIp);
    }
    // Only when no active account has the ID: last year's (or a closed) account.
    const closed = q.newestClosedByLoginId(input.loginId);
    const passwordOk = closed
      ? await verifyPassword(closed.password_hash, input.password)
      : await verifyAgainstDummy(input.password);
    q.recordAttempt({ success: false, memberId: closed?.member_id ?? null, accountId: closed?.id ?? null, clientIp: input.clientIp, at: clock.now() });
    if (closed && passwordOk) return { outcome: 'closed', reason: closed.closed_reason === 'yearly_reset' ? 'yearly_reset' : 'staff' };
    return { outcome: 'invalid' };
  }

  /**
   * After the (async) hash check, decide on the account's state as it is now, in one
   * IMMEDIATE transaction: parallel wrong guesses count one by one, and a right
   * password that arrives after the 5th failure is still refused.
   */
  function settleActive(accountId: number, passwordOk: boolean, clientIp: string): LoginResult {
    return inTransaction(db, (): LoginResult => {
      const now = clock.now();
      const row = q.byId(accountId);
      if (!row || row.status !== 'active') {
        q.recordAttempt({ success: false, memberId: row?.member_id ?? null, accountId, clientIp, at: now });
        return { outcome: 'invalid' };
      }
      const attempt = { memberId: row.member_id, accountId, clientIp, at: now };
      if (isLocked(row, now)) {
        q.recordAttempt({ ...attempt, success: false });
        // Only someone who knows the password learns of the lock; a guesser sees the
        // generic answer, the same as for an ID that does not exist.
        return passwordOk ? { outcome: 'locked', until: row.locked_until! } : { outcome: 'invalid' };
      }
      if (!passwordOk) {
        q.recordAttempt({ ...attempt, success: false });
        const { failedLogins, lockedUntil } = afterFailure(row, now);
        q.setFailures(accountId, failedLogins, lockedUntil);
        return { outcome: 'invalid' };
      }
      q.recordAttempt({ ...attempt, success: true });
      q.recordSuccess(accountId, now);
      return { outcome: 'ok', accountId, insurerId: row.insurer_id };
    });
  }

  return { login };
}

export type LoginService = ReturnType<typeof createLoginService>;

/**
 * The count and lock after one more wrong password (login, or the current password on
 * my page). A lock that has run out starts a fresh count of five.
 */
export function afterFailure(
  row: Pick<LoginAccountRow, 'failed_logins' | 'locked_until'>,
  now: number,
): { failedLogins: number; lockedUntil: number | null } {
  const failedLogins = (row.locked_until !== null ? 0 : row.failed_logins) + 1;
  return { failedLogins, lockedUntil: failedLogins >= LOGIN_FAILURE_LIMIT ? now + LOGIN_LOCK_MS : null };
}

export function isLocked(row: Pick<LoginAccountRow, 'locked_until'>, now: number): boolean {
  return row.locked_until !== null && row.locked_until > now;
}

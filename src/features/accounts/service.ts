import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import { destroyAccountSessions } from '../../http/session-store.js';
import { MINUTE, type Clock } from '../../lib/clock.js';
import { verifyAgainstDummy, verifyPassword } from '../../lib/passwords.js';
import type { AddressLimit, AttemptLedger } from '../attempts/service.js';
import { createAccountQueries, type AccountRow, type CloseReason } from './queries.js';
import { enqueuePasswordChangedMail } from './mails.js';

export type { AccountRow, CloseReason, SignedInAccount } from './queries.js';

/** 5 wrong passwords in a row lock the account for 15 minutes. */
export const LOGIN_FAILURE_LIMIT = 5;
export const LOGIN_LOCK_MS = 15 * MINUTE;
/**
 * Against password spraying (one password tried on many IDs, which the per-account lock
 * never sees): 50 failed logins from one address within 15 minutes pause that address,
 * before any hashing. Successes are not limited: an office shares one address.
 */
export const LOGIN_ADDRESS_LIMIT: AddressLimit = { kinds: ['login'], limit: 50, windowMs: 15 * MINUTE };

export type LoginResult =
  | { outcome: 'ok'; accountId: number; insurerId: number; passwordChangedAt: number | null }
  | { outcome: 'invalid' }
  | { outcome: 'address_throttled' };

export type PasswordCheck =
  | { ok: true; account: AccountRow }
  | { ok: false; reason: 'wrong'; lockedUntil: number | null }
  | { ok: false; reason: 'locked'; until: number }
  | { ok: false; reason: 'address_throttled' }
  | { ok: false; reason: 'gone' };

/**
 * The account lifecycle in one place: login with its lock and address cap, the current
 * password asked again on my page, a new password (ending the other sessions), the closing
 * of an account (yearly reset and staff alike) and the unlock.
 */
export function createAccountService(deps: { db: Db; clock: Clock; attempts: AttemptLedger; baseUrl: string; outbox: { kick(): void } }) {
  const { db, clock, attempts } = deps;
  const q = createAccountQueries(db);

  /**
   * Login. The attempt is reserved (address cap checked, failure recorded) before the hash,
   * so a burst cannot pass the cap. Unknown, closed and locked accounts answer exactly like a
   * wrong password and spend the same argon2 time: nothing tells them apart, and the right
   * password of a locked account is no more use than a wrong one.
   */
  async function login(input: { loginId: string; password: string; clientIp: string }): Promise<LoginResult> {
    const reserved = inTransaction(db, () => {
      const account = q.activeByLoginId(input.loginId);
      const attemptId = attempts.reserve(
        { kind: 'login', clientIp: input.clientIp, memberId: account?.member_id, accountId: account?.id },
        LOGIN_ADDRESS_LIMIT,
      );
      return attemptId === undefined ? undefined : { attemptId, account };
    });
    if (!reserved) return { outcome: 'address_throttled' };
    const { attemptId, account } = reserved;
    const passwordOk = account ? await verifyPassword(account.password_hash, input.password) : await verifyAgainstDummy(input.password);
    return inTransaction(db, (): LoginResult => settleLogin(account?.id ?? 0, passwordOk, attemptId));
  }

  /** Decides on the account as it is now: parallel wrong guesses count one by one. */
  function settleLogin(accountId: number, passwordOk: boolean, attemptId: number): LoginResult {
    const now = clock.now();
    const row = q.byId(accountId);
    if (!row || row.status !== 'active') return { outcome: 'invalid' };
    if (isLocked(row, now)) {
      // Guessing on during the lock keeps it locked: each wrong guess starts its 15 minutes again.
      if (!passwordOk) q.setFailures(row.id, row.failed_logins + 1, now + LOGIN_LOCK_MS);
      return { outcome: 'invalid' };
    }
    if (!passwordOk) {
      const next = afterFailure(row, now);
      q.setFailures(row.id, next.failedLogins, next.lockedUntil);
      return { outcome: 'invalid' };
    }
    attempts.succeed(attemptId);
    q.recordSuccess(row.id, now);
    return { outcome: 'ok', accountId: row.id, insurerId: row.insurer_id, passwordChangedAt: row.password_changed_at };
  }

  /**
   * The current password, asked again before a change on my page. A wrong one counts as a
   * failed login (the same lock and address cap), so an open session is no way to guess it.
   * The member is signed in, so a locked account is told so (without hashing).
   */
  async function checkPassword(accountId: number, password: string, clientIp: string): Promise<PasswordCheck> {
    const reserved = inTransaction(db, (): PasswordCheck | { attemptId: number; account: AccountRow } => {
      const account = q.byId(accountId);
      if (!account || account.status !== 'active') return { ok: false, reason: 'gone' };
      if (isLocked(account, clock.now())) return { ok: false, reason: 'locked', until: account.locked_until! };
      const attemptId = attempts.reserve({ kind: 'login', clientIp, memberId: account.member_id, accountId }, LOGIN_ADDRESS_LIMIT);
      return attemptId === undefined ? { ok: false, reason: 'address_throttled' } : { attemptId, account };
    });
    if (!('attemptId' in reserved)) return reserved;
    const passwordOk = await verifyPassword(reserved.account.password_hash, password);
    return inTransaction(db, (): PasswordCheck => {
      const now = clock.now();
      const row = q.byId(accountId);
      if (!row || row.status !== 'active') return { ok: false, reason: 'gone' };
      if (isLocked(row, now)) return { ok: false, reason: 'locked', until: row.locked_until! };
      if (!passwordOk) {
        const next = afterFailure(row, now);
        q.setFailures(row.id, next.failedLogins, next.lockedUntil);
        return { ok: false, reason: 'wrong', lockedUntil: next.lockedUntil };
      }
      attempts.succeed(reserved.attemptId);
      q.setFailures(row.id, 0, null);
      return { ok: true, account: row };
    });
  }

  /**
   * A new password hash in place: the failure count and any lock cleared, open reset links
   * voided, every session of the account ended but `keepSessionId`, the registered address
   * told. Joins the caller's transaction when there is one. Returns the new
   * password_changed_at (the session that stays signed in carries it), or undefined when the
   * account is no longer active.
   */
  function changePassword(accountId: number, hash: string, opts: { via: 'change' | 'reset'; keepSessionId?: string }): number | undefined {
    const changedAt = inTransaction(db, () => {
      const now = clock.now();
      const account = q.byId(accountId);
      if (!account || !q.updatePassword(accountId, hash, now)) return undefined;
      q.voidResetLinks(accountId, now);
      destroyAccountSessions(db, accountId, opts.keepSessionId);
      enqueuePasswordChangedMail(db, clock, { account, changedAt: now, via: opts.via, baseUrl: deps.baseUrl });
      return now;
    });
    if (changedAt !== undefined) deps.outbox.kick();
    return changedAt;
  }

  /** Moves the account to a confirmed new address (inside the caller's transaction). */
  function changeEmail(accountId: number, email: string): boolean {
    return q.updateEmail(accountId, email);
  }

  /**
   * Closes an active account, keeping the row as history: its sessions end, its open e-mail
   * codes and reset links are void. The yearly reset and a supervisor's closing both come
   * here. Joins the caller's transaction. Returns the number of sessions ended, or undefined
   * when the account was not active.
   */
  function close(accountId: number, reason: CloseReason, staffId: number | null = null): number | undefined {
    return inTransaction(db, () => {
      const now = clock.now();
      if (!q.close(accountId, now, reason, staffId)) return undefined;
      q.voidResetLinks(accountId, now);
      q.voidOpenCodes(accountId, now);
      return destroyAccountSessions(db, accountId);
    });
  }

  /** The yearly reset of one insurer: every active account closed. Returns how many. */
  function closeAllOfInsurer(insurerId: number): number {
    return inTransaction(db, () => q.activeIdsOfInsurer(insurerId).filter((id) => close(id, 'yearly_reset') !== undefined).length);
  }

  /** A new active account (signup's last step, inside its transaction). */
  function create(a: { memberId: number; loginId: string; passwordHash: string; email: string }): number {
    return q.insert({ ...a, now: clock.now() });
  }

  return {
    login,
    create,
    /** Whether an active account holds this login ID (without regard to case). */
    loginIdActive: (loginId: string) => q.loginIdActive(loginId),
    checkPassword,
    changePassword,
    changeEmail,
    close,
    closeAllOfInsurer,
    unlock: (accountId: number) => q.unlock(accountId),
    signedIn: (accountId: number) => q.signedIn(accountId),
    activeOfMember: (memberId: number) => q.activeOfMember(memberId),
    activeByLoginId: (loginId: string) => q.activeByLoginId(loginId),
    activeById: (accountId: number) => {
      const row = q.byId(accountId);
      return row?.status === 'active' ? row : undefined;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

/** The count and lock after one more wrong password. A lock that has run out starts a fresh count of five. */
export function afterFailure(
  row: Pick<AccountRow, 'failed_logins' | 'locked_until'>,
  now: number,
): { failedLogins: number; lockedUntil: number | null } {
  const failedLogins = (row.locked_until !== null ? 0 : row.failed_logins) + 1;
  return { failedLogins, lockedUntil: failedLogins >= LOGIN_FAILURE_LIMIT ? now + LOGIN_LOCK_MS : null };
}

export function isLocked(row: Pick<AccountRow, 'locked_until'>, now: number): boolean {
  return row.locked_until !== null && row.locked_until > now;
}

import type { Infra } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import { HOUR } from '../../lib/clock.js';
import { hashPassword } from '../../lib/passwords.js';
import type { AccountService } from '../accounts/service.js';
import type { AddressLimit, AttemptLedger } from '../attempts/service.js';
import type { EmailCodeService } from '../email-codes/service.js';
import type { IdentityResult, IdentityService } from '../identity/service.js';
import type { IdentityInput } from '../identity/schema.js';
import type { Insurer, InsurerDirectory, Member } from '../registry/directory.js';
import { enqueueSignupDoneMail } from './mails.js';
import { createSignupQueries } from './queries.js';

export interface VerifiedMember {
  member: Member;
  insurer: Insurer;
}

export type RegisterResult =
  | { ok: true; expiresAt: number }
  | { ok: false; reason: 'login_id_taken' }
  | { ok: false; reason: 'login_id_probes' }
  | { ok: false; reason: 'already_registered' }
  | { ok: false; reason: 'hourly_limit'; retryAt: number };

export type CompleteResult =
  | { ok: true; loginId: string }
  | { ok: false; reason: 'wrong' | 'expired' | 'voided' | 'none' | 'too_many'; remainingTries?: number }
  | { ok: false; reason: 'already_registered' | 'login_id_taken' };

const LOGIN_ID_TAKEN = 'login_id_taken' as const;

/**
 * The "already used" answer of step 2 tells whether a login ID exists, so it is rationed:
 * 10 an hour per verified member, 50 an hour per client address; past either, step 2
 * answers 429 whatever the ID (a free ID answering differently would tell as much).
 */
export const TAKEN_ANSWERS_PER_MEMBER_HOUR = 10;
export const TAKEN_ANSWERS_ADDRESS_LIMIT: AddressLimit = { kinds: ['login_id_taken'], limit: 50, windowMs: HOUR };

/**
 * The first-login flow (docs/signup.md): identity check → pending registration with
 * the argon2id hash and an e-mail code → account on the right code. Nothing is an
 * account until the code is right, and a member never ends up with two.
 */
export function createSignupService(
  deps: Infra & {
    identity: IdentityService;
    emailCodes: EmailCodeService;
    accounts: AccountService;
    attempts: AttemptLedger;
    insurers: InsurerDirectory;
  },
) {
  const { db, clock, config, identity, attempts, insurers, emailCodes: codes } = deps;
  const q = createSignupQueries(db);

  function checkIdentity(input: IdentityInput, clientIp: string): IdentityResult {
    return identity.check(input, { clientIp, purpose: 'identity' });
  }

  /** The member and insurer the session's identity check found, while still eligible. */
  function verifiedMember(memberId: number, insurerId: number): VerifiedMember | undefined {
    const member = insurers.memberById(memberId);
    const insurer = insurers.insurerById(insurerId);
    if (!member || !insurer || member.insurer_id !== insurer.id || member.status !== 'active') return undefined;
    return { member, insurer };
  }

  function hasActiveAccount(memberId: number): boolean {
    return deps.accounts.activeOfMember(memberId) !== undefined;
  }

  /** A login ID is free when no active account and no other member's open registration holds it. */
  function loginIdFree(loginId: string, memberId: number): boolean {
    return !deps.accounts.loginIdActive(loginId) && !q.loginIdHeldByOtherMember(loginId, memberId, clock.now());
  }

  /** The login ID the member chose last time, to fill step 2 again when they come back to change the address. */
  function pendingLoginId(memberId: number): string | undefined {
    return q.latestOpenRegistration(memberId)?.login_id;
  }

  /**
   * Step 2: stores the choice as a pending registration (password as argon2id hash) and
   * mails a code, in one transaction. A pre-registered address always wins over `email`.
   */
  async function register(
    v: VerifiedMember,
    form: { loginId: string; password: string; email: string | undefined },
    clientIp: string,
  ): Promise<RegisterResult> {
    const { member, insurer } = v;
    const email = member.email ?? form.email;
    if (!email) throw new Error('register() needs an address when none is pre-registered');
    // Every check that can refuse runs before the hash, in one transaction with its record.
    const refused = inTransaction(db, (): RegisterResult | undefined => {
      if (hasActiveAccount(member.id)) return { ok: false, reason: 'already_registered' };
      const taken = checkLoginId(member.id, form.loginId, clientIp);
      if (taken) return taken;
      const retryAt = codes.hourlyLimitRetryAt('signup', member.id);
      return retryAt === undefined ? undefined : { ok: false, reason: 'hourly_limit', retryAt };
    });
    if (refused) return refused;

    const passwordHash = await hashPassword(form.password);

    // Another request may have run while the hash was computed: check again inside. The
    // code cap is checked by issue() in this same transaction, so a burst mails no more
    // codes than the cap.
    const result = inTransaction(db, (): RegisterResult => {
      if (hasActiveAccount(member.id)) return { ok: false, reason: 'already_registered' };
      const taken = checkLoginId(member.id, form.loginId, clientIp);
      if (taken) return taken;
      const retryAt = codes.hourlyLimitRetryAt('signup', member.id);
      if (retryAt !== undefined) return { ok: false, reason: 'hourly_limit', retryAt };
      const registrationId = q.insertRegistration({ memberId: member.id, loginId: form.loginId, passwordHash, email, now: clock.now() });
      const issued = codes.issue({ purpose: 'signup', member, insurer, email, memberName: member.name, registrationId });
      if (!issued.ok) throw new Error('the code cap was checked in this transaction');
      return { ok: true, expiresAt: issued.expiresAt };
    });
    if (result.ok) deps.outbox.kick();
    return result;
  }

  /**
   * Inside a transaction: refuses once the "already used" answers are rationed out, answers
   * "taken" (and records it) when the ID is not free, or undefined when it may be used.
   */
  function checkLoginId(memberId: number, loginId: string, clientIp: string): RegisterResult | undefined {
    const since = clock.now() - HOUR;
    if (
      attempts.failuresByMember(memberId, ['login_id_taken'], since) >= TAKEN_ANSWERS_PER_MEMBER_HOUR ||
      attempts.addressOverLimit(clientIp, TAKEN_ANSWERS_ADDRESS_LIMIT)
    ) {
      return { ok: false, reason: 'login_id_probes' };
    }
    if (loginIdFree(loginId, memberId)) return undefined;
    attempts.record({ kind: 'login_id_taken', success: false, memberId, clientIp });
    return { ok: false, reason: LOGIN_ID_TAKEN };
  }

  /**
   * Step 3: the right code creates the account. The code is consumed with a conditional
   * UPDATE in the same transaction as the INSERT, and the partial unique indexes
   * (one active account per member, one active owner per login ID) are the last line:
   * two tabs submitting at once get one account and one "already registered".
   */
  function complete(v: VerifiedMember, typedCode: string, clientIp: string): CompleteResult {
    const { member, insurer } = v;
    if (hasActiveAccount(member.id)) return { ok: false, reason: 'already_registered' };
    const verified = codes.verify({ purpose: 'signup', memberId: member.id, code: typedCode, clientIp });
    if (!verified.ok) return verified;
    const registrationId = verified.code.registration_id;

    let result: CompleteResult;
    try {
      result = inTransaction(db, (): CompleteResult => {
        if (!codes.consume(verified.code.id)) {
          return hasActiveAccount(member.id) ? { ok: false, reason: 'already_registered' } : { ok: false, reason: 'none' };
        }
        const registration = registrationId === null ? undefined : q.registrationById(registrationId);
        if (!registration || registration.member_id !== member.id || registration.completed_at !== null) {
          return { ok: false, reason: 'none' };
        }
        if (hasActiveAccount(member.id)) return { ok: false, reason: 'already_registered' };
        if (deps.accounts.loginIdActive(registration.login_id)) return { ok: false, reason: LOGIN_ID_TAKEN };
        const now = clock.now();
        const accountId = deps.accounts.create({
          memberId: member.id,
          loginId: registration.login_id,
          passwordHash: registration.password_hash,
          email: registration.email,
        });
        q.completeRegistration(registration.id, accountId, now);
        enqueueSignupDoneMail(db, clock, {
          insurer,
          to: registration.email,
          memberName: member.name,
          memberId: member.id,
          accountId,
          loginId: registration.login_id,
          baseUrl: config.baseUrl,
        });
        return { ok: true, loginId: registration.login_id };
      });
    } catch (err) {
      // The unique indexes caught a concurrent writer (another process): the transaction
      // rolled back; say what happened instead of failing.
      if (isConstraintError(err)) {
        return hasActiveAccount(member.id) ? { ok: false, reason: 'already_registered' } : { ok: false, reason: LOGIN_ID_TAKEN };
      }
      throw err;
    }
    if (result.ok) deps.outbox.kick();
    return result;
  }

  return {
    checkIdentity,
    verifiedMember,
    hasActiveAccount,
    pendingLoginId,
    register,
    complete,
    resendCode: (v: VerifiedMember) => codes.resend({ purpose: 'signup', member: v.member, insurer: v.insurer, memberName: v.member.name }),
    currentCode: (memberId: number) => codes.latest('signup', memberId),
  };
}

export type SignupService = ReturnType<typeof createSignupService>;

/** better-sqlite3's SqliteError carries SQLite's extended code, e.g. SQLITE_CONSTRAINT_UNIQUE. */
function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

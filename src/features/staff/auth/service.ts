import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { staffPasswordProblems } from '../../../lib/staff-password-rules.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../../lib/passwords.js';
import { recordAudit } from '../../audit/writer.js';
import type { AddressLimit, AttemptLedger } from '../../attempts/service.js';
import {
  clearStaffFailures,
  confirmTotpEnrolment,
  countStaffFailure,
  findStaffById,
  findStaffByLogin,
  setPendingTotpSecret,
  setStaffPassword,
  useTotpStep,
  type StaffRow,
} from '../queries.js';
import { enrolmentPicture, matchingTotpStep, newTotpSecret } from './totp.js';

/** 5 failures (password or authenticator code) lock a staff account until unlocked. */
export const STAFF_LOCK_AFTER = 5;

/**
 * Sign-ins from one address pause after this many failures in the window, before any
 * hashing: guessing staff IDs from outside costs no CPU and cannot lock out the whole team.
 * The attempt is reserved before the hash, so a burst cannot pass the cap.
 */
export const STAFF_ADDRESS_FAILURE_LIMIT = 30;
export const STAFF_ADDRESS_WINDOW_MS = 15 * 60_000;
const STAFF_ADDRESS_LIMIT: AddressLimit = { kinds: ['staff_login'], limit: STAFF_ADDRESS_FAILURE_LIMIT, windowMs: STAFF_ADDRESS_WINDOW_MS };

/** What is still missing after a correct password: a new password, an authenticator, or today's code. */
export type SignInStage = 'password' | 'enrol' | 'totp';

/** An unknown login, a wrong password, a locked and a disabled account all answer 'invalid'. */
export type PasswordOutcome =
  | { ok: true; staffId: number; stage: SignInStage }
  | { ok: false; reason: 'invalid' | 'throttled' };

export type CodeOutcome = { ok: true } | { ok: false; reason: 'invalid' | 'replayed' | 'locked' | 'disabled' };

function stageOf(s: StaffRow): SignInStage {
  if (s.must_change_password === 1) return 'password';
  return s.totp_enrolled_at === null ? 'enrol' : 'totp';
}

/** Staff sign-in: password, first-time password change and authenticator enrolment, TOTP. */
export function createStaffAuthService(deps: { db: Db; clock: Clock; attempts: AttemptLedger }) {
  const { db, clock, attempts } = deps;

  /** Counts a failure (and locks at 5), all in one transaction with its audit row. */
  function fail(s: StaffRow, clientIp: string, what: string, opts: { recordAttempt: boolean } = { recordAttempt: true }): void {
    inTransaction(db, () => {
      const now = clock.now();
      const lockedNow = countStaffFailure(db, s.id, now, STAFF_LOCK_AFTER);
      if (opts.recordAttempt) attempts.record({ kind: 'staff_login', success: false, staffId: s.id, clientIp });
      recordAudit(db, clock, {
        staffId: s.id,
        staffLogin: s.login_id,
        clientIp,
        action: 'signin_failed',
        detail: lockedNow ? `${what}; アカウントをロック` : what,
      });
    });
  }

  /** Only an active, unlocked account may continue a sign-in it started. */
  function usable(staffId: number): StaffRow | { refused: 'locked' | 'disabled' } | undefined {
    const s = findStaffById(db, staffId);
    if (!s) return undefined;
    if (s.disabled_at !== null) return { refused: 'disabled' };
    if (s.locked_at !== null) return { refused: 'locked' };
    return s;
  }

  /** Puts a fresh secret on the account: each enrolment shows a secret never shown before. */
  function beginEnrolment(staffId: number): void {
    setPendingTotpSecret(db, staffId, newTotpSecret());
  }

  /**
   * The password step. One answer for an unknown login, a wrong password, a locked and a
   * disabled account, in the same argon2 time: nothing tells which logins exist or whether
   * a locked account's password was right. Each is audited with what really happened.
   */
  async function checkPassword(loginId: string, password: string, clientIp: string): Promise<PasswordOutcome> {
    const reserved = inTransaction(db, () => {
      const s = findStaffByLogin(db, loginId);
      const attemptId = attempts.reserve({ kind: 'staff_login', clientIp, staffId: s?.id }, STAFF_ADDRESS_LIMIT);
      return attemptId === undefined ? undefined : { attemptId, s };
    });
    if (!reserved) return { ok: false, reason: 'throttled' };
    const { attemptId, s } = reserved;
    const right = s ? await verifyPassword(s.password_hash, password) : await verifyAgainstDummy(password);
    return inTransaction(db, (): PasswordOutcome => {
      const now = s && findStaffById(db, s.id);
      const refused = (staff: StaffRow | undefined, what: string): PasswordOutcome => {
        recordAudit(db, clock, { staffId: staff?.id ?? null, staffLogin: staff?.login_id ?? loginId, clientIp, action: 'signin_failed', detail: what });
        return { ok: false, reason: 'invalid' };
      };
      if (!now) return refused(undefined, '存在しないログインID');
      if (now.disabled_at !== null) return refused(now, right ? '利用停止中（パスワードは正しい）' : '利用停止中');
      if (now.locked_at !== null) return refused(now, right ? 'ロック中（パスワードは正しい）' : 'ロック中');
      if (!right) {
        fail(now, clientIp, 'パスワード誤り', { recordAttempt: false });
        return { ok: false, reason: 'invalid' };
      }
      attempts.succeed(attemptId);
      const stage = stageOf(now);
      if (stage === 'enrol') beginEnrolment(now.id);
      return { ok: true, staffId: now.id, stage };
    });
  }

  /** First sign-in: the initial password is replaced; returns the problems, or the next stage. */
  async function setNewPassword(
    staffId: number,
    newPassword: string,
    clientIp: string,
  ): Promise<{ ok: true; stage: SignInStage } | { ok: false; problems: string[] } | { ok: false; refused: 'locked' | 'disabled' | 'gone' }> {
    const s = usable(staffId);
    if (!s) return { ok: false, refused: 'gone' };
    if ('refused' in s) return { ok: false, refused: s.refused };
    const problems = staffPasswordProblems(newPassword, { loginId: s.login_id });
    if (problems.length === 0 && (await verifyPassword(s.password_hash, newPassword))) {
      problems.push('初期パスワードとは別のパスワードを設定してください');
    }
    if (problems.length > 0) return { ok: false, problems };
    const hash = await hashPassword(newPassword);
    inTransaction(db, () => {
      setStaffPassword(db, s.id, hash);
      if (s.totp_enrolled_at === null) beginEnrolment(s.id);
      recordAudit(db, clock, { staffId: s.id, staffLogin: s.login_id, clientIp, action: 'password_set' });
    });
    return { ok: true, stage: s.totp_enrolled_at === null ? 'enrol' : 'totp' };
  }

  /** The QR code and secret of an enrolment in progress, or undefined when there is none. */
  async function enrolment(staffId: number): Promise<{ qrSvg: string; secretGroups: string } | undefined> {
    const s = findStaffById(db, staffId);
    if (!s || s.totp_secret === null || s.totp_enrolled_at !== null || s.must_change_password === 1) return undefined;
    return enrolmentPicture(s.totp_secret, s.login_id);
  }

  /**
   * Checks a six-digit code against the enrolled (or, with `enrolling`, the
   * pending) secret. Success signs in: failures reset, the step is spent, audited.
   */
  function checkCode(staffId: number, code: string, clientIp: string, opts: { enrolling: boolean }): CodeOutcome {
    const s = usable(staffId);
    if (!s) return { ok: false, reason: 'disabled' };
    if ('refused' in s) return { ok: false, reason: s.refused };
    const ready = opts.enrolling ? s.totp_enrolled_at === null : s.totp_enrolled_at !== null;
    if (!ready || s.totp_secret === null) return { ok: false, reason: 'invalid' };
    const step = matchingTotpStep(s.totp_secret, code, clock.now());
    if (step === undefined) {
      fail(s, clientIp, opts.enrolling ? '認証アプリ登録時のコード誤り' : '認証コード誤り');
      return { ok: false, reason: findStaffById(db, s.id)?.locked_at != null ? 'locked' : 'invalid' };
    }
    const used = inTransaction(db, () => {
      if (!useTotpStep(db, s.id, step)) return false;
      const now = clock.now();
      if (opts.enrolling) {
        confirmTotpEnrolment(db, s.id, now);
        recordAudit(db, clock, { staffId: s.id, staffLogin: s.login_id, clientIp, action: 'totp_enrolled' });
      }
      clearStaffFailures(db, s.id);
      attempts.record({ kind: 'staff_login', success: true, staffId: s.id, clientIp });
      recordAudit(db, clock, { staffId: s.id, staffLogin: s.login_id, clientIp, action: 'signin' });
      return true;
    });
    if (!used) {
      fail(s, clientIp, '使用済みの認証コード');
      return { ok: false, reason: findStaffById(db, s.id)?.locked_at != null ? 'locked' : 'replayed' };
    }
    return { ok: true };
  }

  function recordSignOut(staff: { id: number; loginId: string }, clientIp: string): void {
    recordAudit(db, clock, { staffId: staff.id, staffLogin: staff.loginId, clientIp, action: 'signout' });
  }

  return { checkPassword, setNewPassword, enrolment, checkCode, recordSignOut };
}

export type StaffAuthService = ReturnType<typeof createStaffAuthService>;

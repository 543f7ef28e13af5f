import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { staffPasswordProblems } from '../../../lib/staff-password-rules.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../../lib/passwords.js';
import { recordAudit } from '../../audit/writer.js';
import {
  clearStaffFailures,
  confirmTotpEnrolment,
  countStaffFailure,
  findStaffById,
  findStaffByLogin,
  insertStaffAttempt,
  setPendingTotpSecret,
  setStaffPassword,
  staffFailuresFromAddressSince,
  useTotpStep,
  type StaffRow,
} from '../queries.js';
import { enrolmentPicture, matchingTotpStep, newTotpSecret } from './totp.js';

/** DESIGN.md: 5 failures (password or authenticator code) lock a staff account until unlocked. */
export const STAFF_LOCK_AFTER = 5;

/**
 * Sign-ins from one address pause after this many failures in the window, before any
 * hashing: guessing staff IDs from outside costs no CPU and cannot lock out the whole team.
 */
export const STAFF_ADDRESS_FAILURE_LIMIT = 30;
export const STAFF_ADDRESS_WINDOW_MS = 15 * 60_000;

/** What is still missing after a correct password: a new password, an authenticator, or today's code. */
export type SignInStage = 'password' | 'enrol' | 'totp';

export type PasswordOutcome =
  | { ok: true; staffId: number; stage: SignInStage }
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled' | 'throttled' };

export type CodeOutcome = { ok: true } | { ok: false; reason: 'invalid' | 'replayed' | 'locked' | 'disabled' };

function stageOf(s: StaffRow): SignInStage {
  if (s.must_change_password === 1) return 'password';
  return s.totp_enrolled_at === null ? 'enrol' : 'totp';
}

/** Staff sign-in: password, first-time password change and authenticator enrolment, TOTP. */
export function createStaffAuthService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /** Counts a failure (and locks at 5), all in one transaction with its audit row. */
  function fail(s: StaffRow, clientIp: string, what: string): void {
    inTransaction(db, () => {
      const now = clock.now();
      const lockedNow = countStaffFailure(db, s.id, now, STAFF_LOCK_AFTER);
      insertStaffAttempt(db, { staffId: s.id, success: false, clientIp, at: now });
      recordAudit(db, clock, {
        staffId: s.id,
        staffLogin: s.login_id,
        clientIp,
        action: 'signin_failed',
        detail: lockedNow ? `${what}; アカウントをロック` : what,
      });
    });
  }

  function refuseWithoutCounting(s: StaffRow, clientIp: string, what: string): void {
    inTransaction(db, () => {
      insertStaffAttempt(db, { staffId: s.id, success: false, clientIp, at: clock.now() });
      recordAudit(db, clock, { staffId: s.id, staffLogin: s.login_id, clientIp, action: 'signin_failed', detail: what });
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

  async function checkPassword(loginId: string, password: string, clientIp: string): Promise<PasswordOutcome> {
    if (staffFailuresFromAddressSince(db, clientIp, clock.now() - STAFF_ADDRESS_WINDOW_MS) >= STAFF_ADDRESS_FAILURE_LIMIT) {
      return { ok: false, reason: 'throttled' };
    }
    const s = findStaffByLogin(db, loginId);
    if (!s) {
      await verifyAgainstDummy(password); // the same answer time as a wrong password
      inTransaction(db, () => {
        insertStaffAttempt(db, { staffId: null, success: false, clientIp, at: clock.now() });
        recordAudit(db, clock, { staffId: null, staffLogin: loginId, clientIp, action: 'signin_failed', detail: '存在しないログインID' });
      });
      return { ok: false, reason: 'invalid' };
    }
    const right = await verifyPassword(s.password_hash, password);
    if (s.disabled_at !== null) {
      refuseWithoutCounting(s, clientIp, '利用停止中');
      return { ok: false, reason: right ? 'disabled' : 'invalid' };
    }
    if (s.locked_at !== null) {
      refuseWithoutCounting(s, clientIp, 'ロック中');
      // Only someone who knows the password learns of the lock.
      return { ok: false, reason: right ? 'locked' : 'invalid' };
    }
    if (!right) {
      fail(s, clientIp, 'パスワード誤り');
      return { ok: false, reason: findStaffById(db, s.id)?.locked_at != null ? 'locked' : 'invalid' };
    }
    const stage = stageOf(s);
    if (stage === 'enrol') beginEnrolment(s.id);
    return { ok: true, staffId: s.id, stage };
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
      insertStaffAttempt(db, { staffId: s.id, success: true, clientIp, at: now });
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

import type { Db } from '../../../db/database.js';
import { DAY, type Clock } from '../../../lib/clock.js';
import { maskEmail } from '../../../lib/mask.js';
import { recordAudit } from '../../audit/writer.js';
import type { SignedInStaff } from '../guard.js';
import { attemptKindLabel, birthDateText, mailKindLabel, maskAddressesIn } from '../labels.js';
import {
  findMemberInScope,
  latestTermsAcceptance,
  latestTermsVersion,
  memberAccounts,
  memberMails,
  newestPendingSignup,
  recentFailures,
  identityMismatches,
  type AccountRow,
  type StaffMemberRow,
} from './queries.js';
import { accountStatus, type AccountStatus } from './status.js';

/**
 * What an operator sees of a member: a shape of its own, built field by field.
 * Addresses are masked here; no hash, code, token or secret is ever read.
 */
export interface StaffMemberView {
  id: number;
  insurerName: string;
  insurerCode: string;
  symbol: string;
  number: string;
  name: string;
  nameKana: string;
  birthDate: string;
  eligibility: string;
  registryEmail: string;
  status: AccountStatus;
  account?: {
    loginId: string;
    email: string;
    createdAt: number;
    lastLoginAt: number | null;
    previousLoginAt: number | null;
    failedLogins: number;
    lockedUntil: number | null;
  };
  signupLockedUntil: number | null;
  pendingSignup?: { loginId: string; email: string; registeredAt: number; codeSentAt: number | null; codeExpiresAt: number | null };
  failures: { label: string; count: number; lastAt: number }[];
  /** For the operator only (never the member): what did not match in failed identity checks. */
  identityMismatches: { label: string; count: number }[];
  /** Whether the addresses on the page are shown whole (after 表示, audited). */
  emailsRevealed: boolean;
  hasAnyEmail: boolean;
  terms?: { version: number; acceptedAt: number; latestVersion: number | undefined };
  latestTermsVersion: number | undefined;
  mails: { label: string; to: string; createdAt: number; sentAt: number | null; attempts: number; state: string; lastError: string }[];
  pastAccounts: { loginId: string; createdAt: number; closedAt: number | null; closedReason: string }[];
  can: { sendUserId: boolean; unlock: boolean; close: boolean };
}

const MISMATCH_LABELS: Record<string, string> = {
  birthdate: '生年月日が不一致',
  name: '氏名（カナ）が不一致',
  both: '生年月日と氏名（カナ）の両方が不一致',
};

const CLOSED_REASONS: Record<string, string> = { yearly_reset: '年度リセット', staff: '管理者により停止' };

/** The status of one member (also used for each line of a search result). */
export function memberStatus(db: Db, now: number, m: StaffMemberRow, accounts: AccountRow[] = memberAccounts(db, m.id)): AccountStatus {
  const active = accounts.find((a) => a.status === 'active');
  const newest = accounts[0];
  const pending = newestPendingSignup(db, m.id);
  return accountStatus({
    now,
    member: { status: m.status, updatedAt: m.updated_at, signupLockedUntil: m.signup_locked_until },
    activeAccount: active && { createdAt: active.created_at, lockedUntil: active.locked_until },
    newestAccount: newest && { status: newest.status, closedAt: newest.closed_at, closedReason: newest.closed_reason },
    pendingSignup: pending && {
      codeCreatedAt: pending.code_created_at,
      codeExpiresAt: pending.code_expires_at,
      codeConsumedAt: pending.code_consumed_at,
      codeVoidedAt: pending.code_voided_at,
    },
  });
}

export function buildMemberView(db: Db, now: number, m: StaffMemberRow, opts: { revealEmails?: boolean } = {}): StaffMemberView {
  // Addresses are masked unless the operator pressed 表示 (which writes its own audit row).
  const email = opts.revealEmails ? (e: string | null | undefined) => e ?? '' : maskEmail;
  const accounts = memberAccounts(db, m.id);
  const active = accounts.find((a) => a.status === 'active');
  const pending = newestPendingSignup(db, m.id);
  const status = memberStatus(db, now, m, accounts);
  const terms = active && latestTermsAcceptance(db, active.id);
  const latestVersion = latestTermsVersion(db, m.insurer_id, now);
  const accountLocked = active?.locked_until != null && active.locked_until > now;
  const signupLocked = m.signup_locked_until != null && m.signup_locked_until > now;
  return {
    id: m.id,
    insurerName: m.insurer_name,
    insurerCode: m.insurer_code,
    symbol: m.symbol,
    number: m.number,
    name: m.name,
    nameKana: m.name_kana,
    birthDate: birthDateText(m.birth_date),
    eligibility: m.status === 'lost' ? '資格喪失' : '資格あり',
    registryEmail: email(m.email),
    status,
    account: active && {
      loginId: active.login_id,
      email: email(active.email),
      createdAt: active.created_at,
      lastLoginAt: active.last_login_at,
      previousLoginAt: active.previous_login_at,
      failedLogins: active.failed_logins,
      lockedUntil: accountLocked ? active.locked_until : null,
    },
    signupLockedUntil: signupLocked ? m.signup_locked_until : null,
    pendingSignup: pending && {
      loginId: pending.login_id,
      email: email(pending.email),
      registeredAt: pending.registered_at,
      codeSentAt: pending.code_created_at,
      codeExpiresAt: pending.code_expires_at,
    },
    failures: recentFailures(db, m.id, now - DAY).map((f) => ({ label: attemptKindLabel(f.kind), count: f.count, lastAt: f.last_at })),
    identityMismatches: identityMismatches(db, m.id, now - DAY)
      .filter((r) => r.mismatch !== null)
      .map((r) => ({ label: MISMATCH_LABELS[r.mismatch!] ?? r.mismatch!, count: r.count })),
    emailsRevealed: opts.revealEmails === true,
    hasAnyEmail: Boolean(m.email || active?.email || pending?.email),
    terms: terms && { version: terms.version, acceptedAt: terms.accepted_at, latestVersion },
    latestTermsVersion: latestVersion,
    mails: memberMails(db, m.id).map((mail) => ({
      label: mailKindLabel(mail.kind),
      to: maskEmail(mail.to_address),
      createdAt: mail.created_at,
      sentAt: mail.sent_at,
      attempts: mail.attempts,
      state: mail.sent_at !== null ? '送信済' : mail.attempts > 0 ? '再送待ち' : '送信待ち',
      lastError: mail.last_error ? maskAddressesIn(mail.last_error, maskEmail) : '',
    })),
    pastAccounts: accounts
      .filter((a) => a.status === 'closed')
      .map((a) => ({
        loginId: a.login_id,
        createdAt: a.created_at,
        closedAt: a.closed_at,
        closedReason: CLOSED_REASONS[a.closed_reason ?? ''] ?? a.closed_reason ?? '',
      })),
    can: { sendUserId: active !== undefined, unlock: accountLocked || signupLocked, close: active !== undefined },
  };
}

/** Looks a member up for the signed-in staff member; undefined outside their insurers. */
export function createMemberViewService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /**
   * The member page, audited as a view; or, with `revealEmails` (the 表示 button), with
   * the addresses whole, audited as that instead; or the close confirmation, which shows
   * the member too. One request, one row.
   */
  function viewMember(
    staff: SignedInStaff,
    memberId: number,
    clientIp: string,
    opts: { revealEmails?: boolean; purpose?: string } = {},
  ): StaffMemberView | undefined {
    const m = findMemberInScope(db, staff.scope, memberId);
    if (!m) return undefined;
    recordAudit(db, clock, {
      staffId: staff.id,
      staffLogin: staff.loginId,
      clientIp,
      action: opts.revealEmails ? 'reveal_email' : 'view_member',
      memberId: m.id,
      query: opts.purpose ?? null,
    });
    return buildMemberView(db, clock.now(), m, { revealEmails: opts.revealEmails });
  }

  /**
   * The same page re-shown after an action was not done (no reason given, or the
   * member's state does not allow it). It shows the member's data again, so it is a
   * view like any other: audited, with the action asked and why it was not done.
   */
  function viewAfterRefusedAction(
    staff: SignedInStaff,
    memberId: number,
    clientIp: string,
    asked: { action: string; why: string; reason?: string },
  ): StaffMemberView | undefined {
    const m = findMemberInScope(db, staff.scope, memberId);
    if (!m) return undefined;
    recordAudit(db, clock, {
      staffId: staff.id,
      staffLogin: staff.loginId,
      clientIp,
      action: 'view_member',
      memberId: m.id,
      query: `再表示: ${asked.action}`,
      reason: asked.reason?.trim() || null,
      detail: `受け付けず: ${asked.why}`,
    });
    return buildMemberView(db, clock.now(), m);
  }

  return { viewMember, viewAfterRefusedAction };
}

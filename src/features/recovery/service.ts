import type { Infra } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import type { FieldErrors } from '../../http/forms.js';
import { HOUR, MINUTE } from '../../lib/clock.js';
import { hashPassword } from '../../lib/passwords.js';
import { keyedHasher, newUrlToken } from '../../lib/tokens.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail, type MailInsurer } from '../../mail/render.js';
import type { AccountRow, AccountService } from '../accounts/service.js';
import type { AttemptLedger } from '../attempts/service.js';
import type { InsurerDirectory } from '../registry/directory.js';
import { createRecoveryQueries } from './queries.js';
import { newPasswordErrors } from './schemas.js';

/** SECURITY.md "Limits as implemented": a reset link is single use and valid 30 minutes. */
export const RESET_LINK_MS = 30 * MINUTE;
/** At most this many reset mails per account an hour (no mail-bombing a member); silent beyond. */
export const RESET_MAILS_PER_HOUR = 5;
/** Requests from one address an hour after which no more mails go out; the answer stays the same. */
export const RESET_REQUESTS_PER_ADDRESS_HOUR = 100;

const RESET_TITLE = 'パスワード再設定のご案内';
// Rendered on the path without an account too, so both paths cost the same.
const STAND_IN_INSURER: MailInsurer = {
  name: '健康保険組合', call_center_phone: '', call_center_hours: '', call_center_email: '', office_phone: '', office_hours: '',
};

export type ResetLinkState = { ok: true; account: AccountRow } | { ok: false };
export type ResetResult = { ok: true } | { ok: false; reason: 'invalid_link' } | { ok: false; reason: 'rules'; errors: FieldErrors };

/**
 * Forgotten password: a single-use link to the registered address, then a new
 * password under the signup rules. The request's answer never tells whether the
 * ID exists, in its words, its status or its time (no argon2 on that path; the
 * same queries, token and mail rendering on both).
 */
export function createPasswordRecoveryService(
  deps: Infra & { accounts: AccountService; attempts: AttemptLedger; insurers: InsurerDirectory },
) {
  const { db, clock, config, accounts, attempts, insurers } = deps;
  const q = createRecoveryQueries(db);
  const hashToken = keyedHasher(config.sessionSecret, 'password-reset');

  function requestReset(p: { loginId: string; clientIp: string }): void {
    const token = newUrlToken();
    const tokenHash = hashToken(token);
    const sent = inTransaction(db, () => {
      const now = clock.now();
      const busyAddress = attempts.requestsByAddress(p.clientIp, ['password_forgot'], now - HOUR) >= RESET_REQUESTS_PER_ADDRESS_HOUR;
      const account = accounts.activeByLoginId(p.loginId);
      attempts.record({ kind: 'password_forgot', success: Boolean(account), memberId: account?.member_id, accountId: account?.id, clientIp: p.clientIp });
      const recentLinks = q.resetsSince(account?.id ?? 0, now - HOUR);
      const insurer = account ? insurers.insurerById(account.insurer_id) : undefined;
      const expiresAt = now + RESET_LINK_MS;
      const mail = renderMail('password-reset', RESET_TITLE, {
        insurer: insurer ?? STAND_IN_INSURER,
        memberName: account?.member_name ?? '',
        resetUrl: `${config.baseUrl}/portal/password/reset/${token}`,
        expiresAt,
        validMinutes: RESET_LINK_MS / MINUTE,
      });
      if (!account || !insurer || busyAddress || recentLinks >= RESET_MAILS_PER_HOUR) return false;
      // A newer request voids the older links.
      q.voidOpenResets(account.id, now);
      q.insertReset({ accountId: account.id, tokenHash, now, expiresAt });
      enqueueMail(db, clock, {
        kind: 'password_reset', to: account.email, ...mail,
        insurerId: insurer.id, memberId: account.member_id, accountId: account.id, sensitive: true,
      });
      return true;
    });
    // After the answer has gone: starting a delivery costs a little time the other path would not.
    if (sent) setImmediate(() => deps.outbox.kick());
  }

  /** Whether a link can still be used: known, not used, not voided, in time, account active. */
  function checkLink(token: string): ResetLinkState {
    const row = q.resetByHash(hashToken(token));
    if (!row || row.used_at !== null || row.voided_at !== null || row.expires_at <= clock.now()) return { ok: false };
    const account = accounts.activeById(row.account_id);
    return account ? { ok: true, account } : { ok: false };
  }

  async function resetPassword(p: { token: string; newPassword: string; newPasswordConfirm: string }): Promise<ResetResult> {
    const link = checkLink(p.token);
    if (!link.ok) return { ok: false, reason: 'invalid_link' };
    const errors = newPasswordErrors({ ...p, loginId: link.account.login_id });
    if (Object.keys(errors).length > 0) return { ok: false, reason: 'rules', errors };
    const hash = await hashPassword(p.newPassword);
    // One transaction: the link is spent exactly once even when two tabs submit together.
    const done = inTransaction(db, () => {
      const row = q.resetByHash(hashToken(p.token));
      if (!row || !q.markUsed(row.id, clock.now())) return false;
      // Unlocks, voids the other links, ends every session, tells the registered address.
      return accounts.changePassword(row.account_id, hash, { via: 'reset' }) !== undefined;
    });
    if (!done) return { ok: false, reason: 'invalid_link' };
    return { ok: true };
  }

  return { requestReset, checkLink, resetPassword };
}

export type PasswordRecoveryService = ReturnType<typeof createPasswordRecoveryService>;

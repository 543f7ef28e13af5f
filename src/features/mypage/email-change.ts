import type { Infra } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import { maskEmail } from '../../lib/mask.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import type { AccountService, PasswordCheck, SignedInAccount } from '../accounts/service.js';
import type { EmailCodeService, ResendResult, VerifyResult } from '../email-codes/service.js';
import type { Insurer, InsurerDirectory, Member } from '../registry/directory.js';

export type RequestEmailChangeResult =
  | { ok: true }
  | { ok: false; reason: 'same' }
  | { ok: false; reason: 'hourly_limit'; retryAt: number }
  | Exclude<PasswordCheck, { ok: true }>;

export type ConfirmEmailChangeResult = { ok: true } | Extract<VerifyResult, { ok: false }> | { ok: false; reason: 'gone' };

/**
 * Change of e-mail on my page, confirmed exactly like signup: a six-digit code (the
 * shared email-codes service: 10 minutes, 5 tries, resend limits) goes to the NEW
 * address; the right code moves the account to it and the OLD address is told.
 */
export function createEmailChangeService(
  deps: Infra & { emailCodes: EmailCodeService; accounts: AccountService; insurers: InsurerDirectory },
) {
  const { db, clock, config, accounts, insurers, emailCodes: codes } = deps;

  function owner(member: SignedInAccount): { member: Member; insurer: Insurer } | undefined {
    const row = insurers.memberById(member.memberId);
    const insurer = insurers.insurerById(member.insurerId);
    return row && insurer ? { member: row, insurer } : undefined;
  }

  /**
   * The current password first: with a stolen session alone, moving the account to another
   * address (and then resetting its password) would be a permanent takeover. A wrong one
   * counts as a failed login.
   */
  async function request(member: SignedInAccount, currentPassword: string, email: string, clientIp: string): Promise<RequestEmailChangeResult> {
    if (email.toLowerCase() === member.email.toLowerCase()) return { ok: false, reason: 'same' };
    const who = owner(member);
    if (!who) return { ok: false, reason: 'gone' };
    const checked = await accounts.checkPassword(member.accountId, currentPassword, clientIp);
    if (!checked.ok) return checked;
    const result = inTransaction(db, (): RequestEmailChangeResult => {
      const issued = codes.issue({ purpose: 'email_change', ...who, email, memberName: member.memberName, accountId: member.accountId });
      return issued.ok ? { ok: true } : issued;
    });
    if (result.ok) deps.outbox.kick();
    return result;
  }

  /** The address waiting for its code, when this account has one open. */
  function pending(member: SignedInAccount): { email: string; expires_at: number } | undefined {
    return codes.current('email_change', member.memberId);
  }

  function confirm(member: SignedInAccount, code: string, clientIp: string): ConfirmEmailChangeResult {
    const checked = codes.verify({ purpose: 'email_change', memberId: member.memberId, code, clientIp });
    if (!checked.ok) return checked;
    const who = owner(member);
    // A code of last year's account (before a yearly reset) does not change this one.
    if (!who || checked.code.account_id !== member.accountId) return { ok: false, reason: 'none' };
    const done = inTransaction(db, (): ConfirmEmailChangeResult => {
      if (!codes.consume(checked.code.id)) return { ok: false, reason: 'none' };
      if (!accounts.changeEmail(member.accountId, checked.code.email)) return { ok: false, reason: 'gone' };
      const mail = renderMail('email-changed', 'メールアドレス変更のお知らせ', {
        insurer: who.insurer,
        memberName: member.memberName,
        changedAt: clock.now(),
        newEmailMasked: maskEmail(checked.code.email),
        baseUrl: config.baseUrl,
      });
      enqueueMail(db, clock, {
        kind: 'email_changed', to: member.email, ...mail,
        insurerId: who.insurer.id, memberId: member.memberId, accountId: member.accountId,
      });
      return { ok: true };
    });
    if (done.ok) deps.outbox.kick();
    return done;
  }

  function resend(member: SignedInAccount): ResendResult | { ok: false; reason: 'gone' } {
    const who = owner(member);
    if (!who) return { ok: false, reason: 'gone' };
    return codes.resend({ purpose: 'email_change', ...who, memberName: member.memberName });
  }

  return { request, pending, confirm, resend };
}

import type { Deps } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import { maskEmail } from '../../lib/mask.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import { createEmailCodeService, type ResendResult, type VerifyResult } from '../email-codes/service.js';
import type { SignedInAccount } from '../login/queries.js';
import { findInsurerById, type Insurer } from '../registry/insurers.js';
import { findMemberById, type Member } from '../registry/members.js';
import { createMypageQueries } from './queries.js';

export type RequestEmailChangeResult =
  | { ok: true }
  | { ok: false; reason: 'same' }
  | { ok: false; reason: 'hourly_limit'; retryAt: number }
  | { ok: false; reason: 'gone' };

export type ConfirmEmailChangeResult = { ok: true } | Extract<VerifyResult, { ok: false }> | { ok: false; reason: 'gone' };

/**
 * Change of e-mail on my page, confirmed exactly like signup: a six-digit code (the
 * shared email-codes service: 10 minutes, 5 tries, resend limits) goes to the NEW
 * address; the right code moves the account to it and the OLD address is told.
 */
export function createEmailChangeService(deps: Deps) {
  const { db, clock, config } = deps;
  const codes = createEmailCodeService(deps);
  const q = createMypageQueries(db);

  function owner(member: SignedInAccount): { member: Member; insurer: Insurer } | undefined {
    const row = findMemberById(db, member.memberId);
    const insurer = findInsurerById(db, member.insurerId);
    return row && insurer ? { member: row, insurer } : undefined;
  }

  function request(member: SignedInAccount, email: string): RequestEmailChangeResult {
    if (email.toLowerCase() === member.email.toLowerCase()) return { ok: false, reason: 'same' };
    const who = owner(member);
    if (!who) return { ok: false, reason: 'gone' };
    const result = inTransaction(db, (): RequestEmailChangeResult => {
      const retryAt = codes.hourlyLimitRetryAt('email_change', member.memberId);
      if (retryAt !== undefined) return { ok: false, reason: 'hourly_limit', retryAt };
      codes.issue({ purpose: 'email_change', ...who, email, memberName: member.memberName, accountId: member.accountId });
      return { ok: true };
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
      if (!q.updateEmail(member.accountId, checked.code.email)) return { ok: false, reason: 'gone' };
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

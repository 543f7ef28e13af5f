import type { Config } from '../../../config.js';
import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { maskEmail } from '../../../lib/mask.js';
import { formatDateTime } from '../../../lib/time.js';
import { enqueueMail } from '../../../mail/outbox.js';
import { renderMail } from '../../../mail/render.js';
import { findInsurerById } from '../../registry/insurers.js';
import { recordAudit } from '../../audit/writer.js';
import type { AccountService } from '../../accounts/service.js';
import type { SignedInStaff } from '../guard.js';
import { findMemberInScope, memberAccounts, setRegistryEmail } from './queries.js';

/** How an action ended: done (with the message to show), refused with a reason, or no such member for this staff. */
export type ActionOutcome = { ok: true; message: string } | { ok: false; problem: string } | { ok: false; notFound: true };

/**
 * What staff do for a member. Each action checks scope and state inside its
 * transaction, and writes its audit row (with the reason) in the same one.
 */
export function createActionService(deps: { db: Db; clock: Clock; config: Config; outbox: { kick(): void }; services: { accounts: AccountService } }) {
  const { db, clock } = deps;

  function activeAccountOf(memberId: number) {
    return memberAccounts(db, memberId).find((a) => a.status === 'active');
  }

  /** Operator and supervisor: mail the login ID to the registered address. */
  function sendUserIdReminder(staff: SignedInStaff, memberId: number, reason: string, clientIp: string): ActionOutcome {
    const outcome = inTransaction(db, (): ActionOutcome => {
      const m = findMemberInScope(db, staff.scope, memberId);
      if (!m) return { ok: false, notFound: true };
      const account = activeAccountOf(m.id);
      if (!account) return { ok: false, problem: '登録済みのアカウントがないため、ユーザーIDのお知らせは送れません' };
      const insurer = findInsurerById(db, m.insurer_id)!;
      const mail = renderMail('userid-reminder', 'ユーザーIDのお知らせ', {
        insurer,
        memberName: m.name,
        loginId: account.login_id,
        baseUrl: deps.config.baseUrl,
      });
      enqueueMail(db, clock, { kind: 'userid_reminder', to: account.email, ...mail, insurerId: m.insurer_id, memberId: m.id, accountId: account.id });
      recordAudit(db, clock, {
        staffId: staff.id,
        staffLogin: staff.loginId,
        clientIp,
        action: 'send_userid',
        memberId: m.id,
        reason,
        detail: `アカウントID ${account.id}`,
      });
      return { ok: true, message: 'ユーザーIDのお知らせメールを登録済みのアドレスへ送信しました。送信状況は「メール送信履歴」で確認できます。' };
    });
    if (outcome.ok) deps.outbox.kick();
    return outcome;
  }

  /** Supervisor: ends a login lock and/or a signup (identity-check) lock. */
  function unlock(staff: SignedInStaff, memberId: number, reason: string, clientIp: string): ActionOutcome {
    return inTransaction(db, (): ActionOutcome => {
      const m = findMemberInScope(db, staff.scope, memberId);
      if (!m) return { ok: false, notFound: true };
      const now = clock.now();
      const account = activeAccountOf(m.id);
      const accountLocked = account?.locked_until != null && account.locked_until > now;
      const signupLocked = m.signup_locked_until != null && m.signup_locked_until > now;
      if (!accountLocked && !signupLocked) return { ok: false, problem: 'ロックされていないため、解除は不要です' };
      const done: string[] = [];
      if (accountLocked) {
        deps.services.accounts.unlock(account!.id);
        done.push('ログインのロック');
      }
      if (signupLocked) {
        // signup_unlocked_at makes the failures before it stop counting towards a new lock.
        db.prepare('UPDATE members SET signup_locked_until = NULL, signup_unlocked_at = ?, updated_at = ? WHERE id = ?').run(now, now, m.id);
        done.push('本人確認のロック');
      }
      recordAudit(db, clock, {
        staffId: staff.id,
        staffLogin: staff.loginId,
        clientIp,
        action: 'unlock',
        memberId: m.id,
        reason,
        detail: done.join('、'),
      });
      return { ok: true, message: `${done.join('と')}を解除しました。` };
    });
  }

  /** Supervisor: closes the active account; the member must sign up again. Its sessions end at once. */
  function closeAccount(staff: SignedInStaff, memberId: number, reason: string, clientIp: string): ActionOutcome {
    return inTransaction(db, (): ActionOutcome => {
      const m = findMemberInScope(db, staff.scope, memberId);
      if (!m) return { ok: false, notFound: true };
      const account = activeAccountOf(m.id);
      if (!account) return { ok: false, problem: '停止できるアカウントがありません' };
      // The same closing as the yearly reset: sessions end, open codes and reset links are void.
      const sessions = deps.services.accounts.close(account.id, 'staff', staff.id) ?? 0;
      recordAudit(db, clock, {
        staffId: staff.id,
        staffLogin: staff.loginId,
        clientIp,
        action: 'close_account',
        memberId: m.id,
        reason,
        detail: `アカウントID ${account.id}（ユーザーID ${account.login_id}）、終了したセッション ${sessions}`,
      });
      return { ok: true, message: 'アカウントを停止しました。この方は初回登録からやり直す必要があります。' };
    });
  }

  /**
   * Supervisor: replaces or clears the society's pre-registered address (`members.email`),
   * which signup sends its code to. A member whose society registered an address they
   * cannot read is otherwise stuck. The old address is told (it may be someone else's, or
   * the member's own and the change unwanted); codes already sent to it stop working.
   */
  function changeRegistryEmail(staff: SignedInStaff, memberId: number, newEmail: string | null, reason: string, clientIp: string): ActionOutcome {
    const outcome = inTransaction(db, (): ActionOutcome => {
      const m = findMemberInScope(db, staff.scope, memberId);
      if (!m) return { ok: false, notFound: true };
      const old = m.email;
      if (old === null && newEmail === null) return { ok: false, problem: '名簿にメールアドレスが登録されていないため、削除は不要です' };
      if (old !== null && newEmail !== null && old.toLowerCase() === newEmail.toLowerCase()) {
        return { ok: false, problem: '現在と同じメールアドレスです' };
      }
      const now = clock.now();
      setRegistryEmail(db, m.id, newEmail, now);
      const voided = db
        .prepare(`UPDATE email_codes SET voided_at = ? WHERE member_id = ? AND purpose = 'signup' AND consumed_at IS NULL AND voided_at IS NULL`)
        .run(now, m.id).changes;
      if (old !== null) {
        const insurer = findInsurerById(db, m.insurer_id)!;
        const mail = renderMail('registry-email-changed', '登録メールアドレス変更のお知らせ', {
          insurer,
          memberName: m.name,
          cleared: newEmail === null,
          changedAt: formatDateTime(now),
        });
        enqueueMail(db, clock, { kind: 'registry_email_changed', to: old, ...mail, insurerId: m.insurer_id, memberId: m.id });
      }
      recordAudit(db, clock, {
        staffId: staff.id,
        staffLogin: staff.loginId,
        clientIp,
        action: 'registry_email_change',
        memberId: m.id,
        reason,
        // Masked: the audit log is read and exported more widely than the member page.
        detail: `${maskEmail(old) || 'なし'} → ${maskEmail(newEmail) || 'なし（削除）'}${voided ? `、無効にした認証コード ${voided}` : ''}`,
      });
      return {
        ok: true,
        message:
          newEmail === null
            ? `名簿のメールアドレスを削除しました。初回登録ではご本人が入力したアドレスに認証コードを送ります。${old ? '元のアドレスにお知らせを送信しました。' : ''}`
            : `名簿のメールアドレスを変更しました。${old ? '元のアドレスにお知らせを送信しました。' : ''}`,
      };
    });
    if (outcome.ok) deps.outbox.kick();
    return outcome;
  }

  return { sendUserIdReminder, unlock, closeAccount, changeRegistryEmail };
}

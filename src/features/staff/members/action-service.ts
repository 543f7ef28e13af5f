import type { Config } from '../../../config.js';
import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { destroyAccountSessions } from '../../../http/session-store.js';
import { enqueueMail } from '../../../mail/outbox.js';
import { renderMail } from '../../../mail/render.js';
import { findInsurerById } from '../../registry/insurers.js';
import { recordAudit } from '../../audit/writer.js';
import type { SignedInStaff } from '../guard.js';
import { findMemberInScope, memberAccounts } from './queries.js';

/** How an action ended: done (with the message to show), refused with a reason, or no such member for this staff. */
export type ActionOutcome = { ok: true; message: string } | { ok: false; problem: string } | { ok: false; notFound: true };

/**
 * What staff do for a member. Each action checks scope and state inside its
 * transaction, and writes its audit row (with the reason) in the same one.
 */
export function createActionService(deps: { db: Db; clock: Clock; config: Config; outbox: { kick(): void } }) {
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
        db.prepare('UPDATE accounts SET locked_until = NULL, failed_logins = 0 WHERE id = ?').run(account!.id);
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
      const now = clock.now();
      db.prepare(
        `UPDATE accounts SET status = 'closed', closed_at = ?, closed_reason = 'staff', closed_by_staff_id = ? WHERE id = ?`,
      ).run(now, staff.id, account.id);
      // Links and codes sent for this account must not outlive it.
      db.prepare('UPDATE password_resets SET voided_at = ? WHERE account_id = ? AND used_at IS NULL AND voided_at IS NULL').run(now, account.id);
      db.prepare('UPDATE email_codes SET voided_at = ? WHERE account_id = ? AND consumed_at IS NULL AND voided_at IS NULL').run(now, account.id);
      const sessions = destroyAccountSessions(db, account.id);
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

  return { sendUserIdReminder, unlock, closeAccount };
}

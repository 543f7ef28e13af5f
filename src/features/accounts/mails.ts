import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import { findInsurerById } from '../registry/insurers.js';
import type { AccountRow } from './queries.js';

/** "Your password was changed" to the registered address (inside the caller's transaction). */
export function enqueuePasswordChangedMail(
  db: Db,
  clock: Clock,
  m: { account: AccountRow; changedAt: number; via: 'change' | 'reset'; baseUrl: string },
): void {
  const insurer = findInsurerById(db, m.account.insurer_id);
  if (!insurer) return;
  const mail = renderMail('password-changed', 'パスワード変更のお知らせ', {
    insurer,
    memberName: m.account.member_name,
    loginId: m.account.login_id,
    changedAt: m.changedAt,
    via: m.via,
    baseUrl: m.baseUrl,
  });
  enqueueMail(db, clock, {
    kind: 'password_changed',
    to: m.account.email,
    ...mail,
    insurerId: insurer.id,
    memberId: m.account.member_id,
    accountId: m.account.id,
  });
}

import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import type { Insurer } from '../registry/insurers.js';

/** The completion mail of step 4 (inside the transaction that creates the account). */
export function enqueueSignupDoneMail(
  db: Db,
  clock: Clock,
  m: { insurer: Insurer; to: string; memberName: string; memberId: number; accountId: number; loginId: string; baseUrl: string },
): number {
  const mail = renderMail('signup-done', '登録完了のお知らせ', {
    insurer: m.insurer,
    memberName: m.memberName,
    loginId: m.loginId,
    baseUrl: m.baseUrl,
  });
  return enqueueMail(db, clock, {
    kind: 'signup_done',
    to: m.to,
    ...mail,
    insurerId: m.insurer.id,
    memberId: m.memberId,
    accountId: m.accountId,
    // No code or link that grants anything: the login ID alone opens nothing.
    sensitive: false,
  });
}

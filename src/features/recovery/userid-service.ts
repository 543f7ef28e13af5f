import type { Infra } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import { HOUR } from '../../lib/clock.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import type { IdentityService } from '../identity/service.js';
import type { IdentityInput } from '../identity/schema.js';
import { createRecoveryQueries } from './queries.js';

/** At most this many ID reminders per member an hour; silent beyond (the answer is the same). */
export const USERID_MAILS_PER_HOUR = 5;
const USERID_MAIL_KIND = 'userid_reminder';

export type UseridReminderResult = 'answered' | 'address_throttled';

/**
 * Forgotten ID: the signup identity check (same fields, same per-record lock and
 * per-address throttle, counted together with signup's failures); on a match with an
 * active account the ID goes to the account's registered address. Every other outcome
 * (no match, locked record, lost eligibility, no account) gives the same answer.
 */
export function createUseridRecoveryService(deps: Infra & { identity: IdentityService }) {
  const { db, clock, config, identity } = deps;
  const q = createRecoveryQueries(db);

  function remindUserId(input: IdentityInput, clientIp: string): UseridReminderResult {
    const result = identity.check(input, { clientIp, purpose: 'userid_forgot' });
    if (result.outcome === 'address_throttled') return 'address_throttled';
    if (result.outcome !== 'matched' || !result.activeAccount) return 'answered';
    const { member, insurer, activeAccount } = result;
    const sent = inTransaction(db, () => {
      if (q.mailsSince(member.id, USERID_MAIL_KIND, clock.now() - HOUR) >= USERID_MAILS_PER_HOUR) return false;
      const mail = renderMail('userid-reminder', 'ユーザーIDのお知らせ', {
        insurer,
        memberName: member.name,
        loginId: activeAccount.login_id,
        baseUrl: config.baseUrl,
      });
      enqueueMail(db, clock, {
        kind: USERID_MAIL_KIND, to: activeAccount.email, ...mail,
        insurerId: insurer.id, memberId: member.id, accountId: activeAccount.id,
      });
      return true;
    });
    if (sent) setImmediate(() => deps.outbox.kick());
    return 'answered';
  }

  return { remindUserId };
}

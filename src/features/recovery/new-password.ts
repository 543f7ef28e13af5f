import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { destroyAccountSessions } from '../../http/session-store.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import type { Insurer } from '../registry/insurers.js';
import type { RecoveryQueries } from './queries.js';

export interface PasswordOwner {
  id: number;
  member_id: number;
  login_id: string;
  email: string;
  member_name: string;
}

/**
 * Puts a new password hash in place: clears the failure count and any lock, voids
 * every open reset link, ends the account's sessions (all of them after a reset;
 * all but the member's own after a change on my page) and tells the registered
 * address. Call inside the caller's transaction; kick the outbox after commit.
 */
export function applyNewPassword(
  deps: { db: Db; clock: Clock; baseUrl: string },
  q: RecoveryQueries,
  a: { account: PasswordOwner; insurer: Insurer; hash: string; via: 'change' | 'reset'; keepSessionId?: string },
): void {
  const { db, clock } = deps;
  const now = clock.now();
  q.updatePassword(a.account.id, a.hash, now);
  q.voidOpenResets(a.account.id, now);
  destroyAccountSessions(db, a.account.id, a.keepSessionId);
  const mail = renderMail('password-changed', 'パスワード変更のお知らせ', {
    insurer: a.insurer,
    memberName: a.account.member_name,
    loginId: a.account.login_id,
    changedAt: now,
    via: a.via,
    baseUrl: deps.baseUrl,
  });
  enqueueMail(db, clock, {
    kind: 'password_changed',
    to: a.account.email,
    ...mail,
    insurerId: a.insurer.id,
    memberId: a.account.member_id,
    accountId: a.account.id,
  });
}

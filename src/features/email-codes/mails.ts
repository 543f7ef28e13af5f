import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../mail/render.js';
import type { Insurer } from '../registry/insurers.js';
import type { CodePurpose } from './queries.js';

const TITLES: Record<CodePurpose, string> = {
  signup: '認証コードのお知らせ',
  email_change: 'メールアドレス変更の認証コードのお知らせ',
};

/**
 * Puts the code mail in the outbox (inside the caller's transaction). It carries the
 * code, so it is marked sensitive: the bodies are erased once it is delivered.
 */
export function enqueueCodeMail(
  db: Db,
  clock: Clock,
  m: {
    purpose: CodePurpose;
    insurer: Insurer;
    to: string;
    memberName: string;
    memberId: number;
    accountId: number | null;
    code: string;
    expiresAt: number;
    validMinutes: number;
    baseUrl: string;
  },
): number {
  const mail = renderMail('email-code', TITLES[m.purpose], {
    insurer: m.insurer,
    purpose: m.purpose,
    memberName: m.memberName,
    code: m.code,
    expiresAt: m.expiresAt,
    validMinutes: m.validMinutes,
    baseUrl: m.baseUrl,
  });
  return enqueueMail(db, clock, {
    kind: m.purpose === 'signup' ? 'signup_code' : 'email_change_code',
    to: m.to,
    ...mail,
    insurerId: m.insurer.id,
    memberId: m.memberId,
    accountId: m.accountId,
    sensitive: true,
  });
}

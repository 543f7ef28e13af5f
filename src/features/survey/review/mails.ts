import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { enqueueMail } from '../../../mail/outbox.js';
import { renderMail } from '../../../mail/render.js';
import { findInsurerById } from '../../registry/insurers.js';
import { japaneseDate } from '../dates.js';
import type { CaseMemberRow } from './queries.js';

export type ReviewMailKind = 'documents' | 'return' | 'completed';

const TITLES: Record<ReviewMailKind, string> = {
  documents: '被扶養者資格調査：追加書類のお願い',
  return: '被扶養者資格調査：回答の修正のお願い',
  completed: '被扶養者資格調査：審査完了のお知らせ',
};

/**
 * 追加書類依頼, 差し戻し (with the reviewer's message) and 審査完了 (without the outcome, which my
 * page shows), queued in the action's transaction. Members with no address on file hear through
 * their employer and see it on my page.
 */
export function enqueueReviewMail(
  db: Db,
  clock: Clock,
  m: { member: CaseMemberRow; kind: ReviewMailKind; surveyTitle: string; receiptNumber: string; baseUrl: string; message?: string; dueDate?: string },
): void {
  if (!m.member.address) return;
  const insurer = findInsurerById(db, m.member.insurer_id)!;
  const mail = renderMail('survey-review', TITLES[m.kind], {
    insurer, kind: m.kind, memberName: m.member.name, surveyTitle: m.surveyTitle, receiptNumber: m.receiptNumber, baseUrl: m.baseUrl,
    message: m.message ?? '', dueDate: m.dueDate ? japaneseDate(m.dueDate) : '',
  });
  enqueueMail(db, clock, {
    kind: `survey_${m.kind}`, to: m.member.address, ...mail, insurerId: m.member.insurer_id, memberId: m.member.member_id, accountId: m.member.account_id, sensitive: false,
  });
}

import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail, type RenderedMail } from '../../mail/render.js';
import type { Insurer } from '../registry/insurers.js';
import { daysBetween, japaneseDate } from './dates.js';
import type { SurveyRow } from './survey-queries.js';

export type NotificationKind = 'invitation' | 'reminder_7d' | 'reminder_1d';

const TITLES: Record<NotificationKind, string> = {
  invitation: '被扶養者資格調査のお願い',
  reminder_7d: '被扶養者資格調査の提出期限が近づいています',
  reminder_1d: '被扶養者資格調査の提出期限が迫っています',
};

const NAME_MARK = '\u0000member-name\u0000';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Invitations and reminders go to every case of a survey at once (100,000 on a large society):
 * the mail is rendered once per survey and kind with a marker where the member's name goes,
 * and each mail only puts the name in (escaped for the HTML part).
 */
export function surveyNoticeMailer(o: { db: Db; clock: Clock; insurer: Insurer; survey: SurveyRow; kind: NotificationKind; baseUrl: string; today: string }) {
  const template: RenderedMail = renderMail(`survey-${o.kind === 'invitation' ? 'invitation' : 'reminder'}`, TITLES[o.kind], {
    insurer: o.insurer,
    memberName: NAME_MARK,
    surveyTitle: o.survey.title,
    deadline: japaneseDate(o.survey.closes_on),
    daysLeft: daysBetween(o.today, o.survey.closes_on),
    baseUrl: o.baseUrl,
  });
  const [textBefore, textAfter] = template.text.split(NAME_MARK) as [string, string];
  const [htmlBefore, htmlAfter] = template.html.split(escapeHtml(NAME_MARK)) as [string, string];
  return (to: string, m: { memberId: number; memberName: string; accountId: number | null }): number =>
    enqueueMail(o.db, o.clock, {
      kind: `survey_${o.kind}`,
      to,
      subject: template.subject,
      text: textBefore + m.memberName + textAfter,
      html: htmlBefore + escapeHtml(m.memberName) + htmlAfter,
      insurerId: o.insurer.id,
      memberId: m.memberId,
      accountId: m.accountId,
      sensitive: false,
    });
}

/** The receipt (inside the submit transaction). */
export function enqueueReceiptMail(
  db: Db,
  clock: Clock,
  m: {
    insurer: Insurer; to: string; memberName: string; memberId: number; accountId: number; surveyTitle: string;
    receiptNumber: string; submittedAt: number; late: boolean; dependents: { name: string; relationship: string }[]; baseUrl: string;
  },
): number {
  const mail = renderMail('survey-receipt', '被扶養者資格調査の提出を受け付けました', { ...m });
  return enqueueMail(db, clock, {
    kind: 'survey_receipt', to: m.to, ...mail, insurerId: m.insurer.id, memberId: m.memberId, accountId: m.accountId, sensitive: false,
  });
}

import type { Db } from '../../db/database.js';
import type { NotificationKind } from './mails.js';

export interface DueCase {
  caseId: number;
  memberId: number;
  memberName: string;
  accountId: number | null;
  /** The active account's address, else the registry's pre-registered one, else null. */
  address: string | null;
}

/**
 * Cases of a survey that still need a notification of `kind`, in id order after `afterId`.
 * Reminders go only to cases not submitted; an invitation to every case.
 */
export function createNotificationQueries(db: Db) {
  const due = (statusFilter: string) =>
    db.prepare<[number, NotificationKind, number, number], DueCase>(
      `SELECT c.id AS caseId, m.id AS memberId, m.name AS memberName, a.id AS accountId, coalesce(a.email, m.email) AS address
       FROM survey_cases c
       JOIN members m ON m.id = c.member_id
       LEFT JOIN accounts a ON a.member_id = m.id AND a.status = 'active'
       WHERE c.survey_id = ? ${statusFilter}
         AND NOT EXISTS (SELECT 1 FROM survey_notifications n WHERE n.case_id = c.id AND n.kind = ?)
         AND c.id > ?
       ORDER BY c.id LIMIT ?`,
    );
  const dueInvitation = due('');
  // `+c.status`: the status must not pick the queue index, whose order is not by id (each batch
  // would then read and sort every case of the survey); survey_cases_by_survey walks in id order.
  const dueReminder = due(`AND +c.status IN ('not_started', 'in_progress')`);
  const record = db.prepare<[number, NotificationKind, number | null, number]>(
    'INSERT INTO survey_notifications (case_id, kind, outbox_id, at) VALUES (?, ?, ?, ?)',
  );
  const ofCase = db.prepare<[number], { kind: NotificationKind; at: number; outbox_id: number | null }>(
    'SELECT kind, at, outbox_id FROM survey_notifications WHERE case_id = ? ORDER BY at',
  );
  return {
    due: (surveyId: number, kind: NotificationKind, afterId: number, limit: number) =>
      (kind === 'invitation' ? dueInvitation : dueReminder).all(surveyId, kind, afterId, limit),
    record: (caseId: number, kind: NotificationKind, outboxId: number | null, now: number) => {
      record.run(caseId, kind, outboxId, now);
    },
    ofCase: (caseId: number) => ofCase.all(caseId),
  };
}

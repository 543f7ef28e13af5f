import { inTransaction, type Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { findInsurerById } from '../registry/insurers.js';
import { addDays, todayJst } from './dates.js';
import { surveyNoticeMailer, type NotificationKind } from './mails.js';
import { createNotificationQueries } from './notification-queries.js';
import { createSurveyQueries, type SurveyRow } from './survey-queries.js';

/** Cases handled per write transaction: the server keeps answering between batches. */
const BATCH = 1000;

export interface NotificationCounts {
  invitation: number;
  reminder_7d: number;
  reminder_1d: number;
  /** Cases dealt with whose member has no address on file (they hear through their employer). */
  withoutAddress: number;
}

/**
 * Invitations and the reminders 7 days and 1 day before the deadline. Each is sent at most once
 * per case: the survey_notifications row (primary key case + kind) is written in the same
 * transaction as the outbox mail, and due cases are read inside that transaction, so two runs
 * at once (cron and the server's timer) or a run after a crash never send one twice.
 */
export function createNotificationService(deps: { db: Db; clock: Clock; baseUrl: string }) {
  const { db, clock } = deps;
  const q = createNotificationQueries(db);
  const surveys = createSurveyQueries(db);

  /** Which kinds are due today for a survey (Japan days; the deadline day counts as "1 day before" too). */
  function dueKinds(survey: SurveyRow, today: string): NotificationKind[] {
    if (today < survey.opens_on || today > survey.closes_on) return [];
    const kinds: NotificationKind[] = ['invitation'];
    if (today >= addDays(survey.closes_on, -1)) kinds.push('reminder_1d');
    else if (today >= addDays(survey.closes_on, -7)) kinds.push('reminder_7d');
    return kinds;
  }

  function send(survey: SurveyRow, kind: NotificationKind, today: string, counts: NotificationCounts): void {
    const insurer = findInsurerById(db, survey.insurer_id);
    if (!insurer) return;
    const mail = surveyNoticeMailer({ db, clock, insurer, survey, kind, baseUrl: deps.baseUrl, today });
    let afterId = 0;
    for (;;) {
      const handled = inTransaction(db, () => {
        const batch = q.due(survey.id, kind, afterId, BATCH);
        const now = clock.now();
        for (const c of batch) {
          const outboxId = c.address ? mail(c.address, c) : null;
          q.record(c.caseId, kind, outboxId, now);
          if (outboxId === null) counts.withoutAddress++;
          else counts[kind]++;
          afterId = c.caseId;
        }
        return batch.length;
      });
      if (handled < BATCH) return;
    }
  }

  return {
    dueKinds,
    /** Sends whatever is due today for one survey, or for every open survey. */
    sendDue(surveyId?: number): NotificationCounts {
      const today = todayJst(clock.now());
      const counts: NotificationCounts = { invitation: 0, reminder_7d: 0, reminder_1d: 0, withoutAddress: 0 };
      const list = surveyId === undefined ? surveys.openOn(today) : [surveys.byId(surveyId)].filter((s) => s !== undefined);
      for (const survey of list) for (const kind of dueKinds(survey, today)) send(survey, kind, today, counts);
      return counts;
    },
    /** Invitations only (after import-targets into an open survey). */
    sendInvitations(survey: SurveyRow): NotificationCounts {
      const today = todayJst(clock.now());
      const counts: NotificationCounts = { invitation: 0, reminder_7d: 0, reminder_1d: 0, withoutAddress: 0 };
      if (dueKinds(survey, today).includes('invitation')) send(survey, 'invitation', today, counts);
      return counts;
    },
  };
}

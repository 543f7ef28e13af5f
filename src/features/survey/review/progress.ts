import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { canonicalCardValue } from '../../../lib/identifiers.js';
import type { SignedInStaff } from '../../staff/guard.js';
import { CASE_STATUS_LABELS, type CaseStatus } from '../labels.js';
import { createSurveyQueries, type SurveyRow } from '../survey-queries.js';
import { submissionsChart, type SubmissionsChart } from './chart.js';
import { createReviewQueries, type QueueRow } from './queries.js';

/** The statuses a case can be in once submitted: the queue's choices (oldest submission first). */
export const QUEUE_STATUSES: CaseStatus[] = ['submitted', 'in_review', 'documents_requested', 'returned', 'completed'];
const SUBMITTED: ReadonlySet<CaseStatus> = new Set(QUEUE_STATUSES);
export const PAGE_SIZE = 50;

export interface QueueFilter {
  status: CaseStatus;
  lateOnly: boolean;
  symbol: string;
  number: string;
  /** The last row of the previous page (`<first_submitted_at>.<id>`), or none. */
  after: { at: number; id: number } | null;
}

export interface SurveyProgress {
  survey: SurveyRow;
  total: number;
  counts: { status: CaseStatus; label: string; n: number }[];
  submitted: number;
  submittedPercent: string;
  late: number;
  chart: SubmissionsChart;
}

/** What `/staff/survey` shows: the surveys of the staff member's insurers, progress, the queue. */
export function createReviewProgress(deps: { db: Db; clock: Clock }) {
  const surveys = createSurveyQueries(deps.db);
  const q = createReviewQueries(deps.db);

  function visibleSurvey(staff: SignedInStaff, surveyId: number): SurveyRow | undefined {
    const s = surveys.byId(surveyId);
    return s && q.inScope(staff.scope, s.insurer_id) ? s : undefined;
  }

  return {
    visibleSurvey,
    /** The surveys of the staff member's insurers, newest first. */
    list: (staff: SignedInStaff) => surveys.list().filter((s) => q.inScope(staff.scope, s.insurer_id)),
    progress(survey: SurveyRow): SurveyProgress {
      const byStatus = new Map(surveys.statusCounts(survey.id).map((r) => [r.status, r.n]));
      const counts = (Object.keys(CASE_STATUS_LABELS) as CaseStatus[]).map((status) => ({ status, label: CASE_STATUS_LABELS[status], n: byStatus.get(status) ?? 0 }));
      const total = counts.reduce((s, c) => s + c.n, 0);
      const submitted = counts.filter((c) => SUBMITTED.has(c.status)).reduce((s, c) => s + c.n, 0);
      return {
        survey, total, counts, submitted,
        submittedPercent: total === 0 ? '0.0' : ((submitted / total) * 100).toFixed(1),
        late: q.lateCount(survey.id),
        chart: submissionsChart({ opensOn: survey.opens_on, closesOn: survey.closes_on, perDay: q.perDay(survey.id) }),
      };
    },
    /** One page of the queue and the cursor of the next page (undefined on the last). */
    queue(survey: SurveyRow, f: QueueFilter): { rows: QueueRow[]; next?: string } {
      if (f.symbol || f.number) {
        const rows = q.byCard(survey.id, survey.insurer_id, canonicalCardValue(f.symbol), canonicalCardValue(f.number));
        return { rows };
      }
      const rows = q.queue({ survey: survey.id, status: f.status, lateOnly: f.lateOnly, after: f.after ?? { at: -1, id: 0 }, limit: PAGE_SIZE + 1 });
      if (rows.length <= PAGE_SIZE) return { rows };
      rows.length = PAGE_SIZE;
      const last = rows[rows.length - 1]!;
      return { rows, next: `${last.first_submitted_at}.${last.id}` };
    },
  };
}

/** Reads the queue's query string; anything unknown falls back to the default. */
export function parseQueueFilter(query: Record<string, unknown>): QueueFilter {
  const str = (k: string) => (typeof query[k] === 'string' ? (query[k] as string).trim().slice(0, 40) : '');
  const status = (QUEUE_STATUSES as string[]).includes(str('status')) ? (str('status') as CaseStatus) : 'submitted';
  const m = /^(\d{1,15})\.(\d{1,12})$/.exec(str('after'));
  return { status, lateOnly: str('late') === '1', symbol: str('symbol'), number: str('number'), after: m ? { at: Number(m[1]), id: Number(m[2]) } : null };
}

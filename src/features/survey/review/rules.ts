import type { CaseStatus } from '../labels.js';
import type { DecisionRow } from './queries.js';

/** The statuses in which a reviewer acts on a case (documents, decisions, requests, completion). */
export const ACTIVE_STATUSES: ReadonlySet<CaseStatus> = new Set(['in_review', 'documents_requested']);

export const DECISION_LABELS: Record<DecisionRow['decision'], string> = { continue: '扶養継続', remove: '扶養削除', hold: '保留' };

/** 保留 is recorded but is not a decision: a case completes only when every dependent is continued or removed. */
export const isDecided = (d: Pick<DecisionRow, 'decision'> | undefined) => d !== undefined && d.decision !== 'hold';

export const REJECT_REASONS = ['不鮮明', '書類の種類が違う', '有効期限切れ', 'マイナンバーが写っている', 'その他'] as const;
/** A document showing an individual number is removed from the store at once. */
export const MY_NUMBER_REASON = 'マイナンバーが写っている';

/** A wrong state's message, in the words the reviewer sees. */
export function stateProblem(status: CaseStatus): string {
  if (status === 'submitted') return '審査を開始していないため、この操作は行えません。ケースを開き直してください。';
  if (status === 'returned') return '差し戻し中のため、加入者が再提出するまでこの操作は行えません。';
  if (status === 'completed') return '審査完了済みのため、この操作は行えません。';
  return '未提出のため、この操作は行えません。';
}

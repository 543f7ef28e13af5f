import type { Db } from '../../../db/database.js';
import type { StaffScope } from '../../staff/guard.js';
import type { CaseStatus } from '../labels.js';

export interface QueueRow {
  id: number;
  status: CaseStatus;
  first_submitted_at: number;
  late: number;
  receipt_number: string | null;
  symbol: string;
  number: string;
  name: string;
}

export interface CaseMemberRow {
  member_id: number;
  insurer_id: number;
  symbol: string;
  number: string;
  name: string;
  name_kana: string;
  birth_date: string;
  address: string | null;
  account_id: number | null;
}

export interface DecisionRow {
  dependent_id: number;
  decision: 'continue' | 'remove' | 'hold';
  removal_date: string | null;
  reason: string | null;
  decided_at: number;
  decided_by: string;
}

export interface RequestRow {
  id: number;
  kind: 'documents' | 'return';
  message: string;
  due_date: string | null;
  created_at: number;
  resolved_at: number | null;
}

const QUEUE_COLUMNS = 'c.id, c.status, c.first_submitted_at, c.late, c.receipt_number, m.symbol, m.number, m.name';

/**
 * The review side's SQL. The queue reads the index survey_cases (survey_id, status,
 * first_submitted_at, id) as a keyset: each page starts after the last row of the one before,
 * so page 500 costs what page 1 does.
 */
export function createReviewQueries(db: Db) {
  const inScope = db.prepare<{ all: number; staffId: number; insurerId: number }, number>(
    'SELECT 1 WHERE @all = 1 OR EXISTS (SELECT 1 FROM staff_insurers WHERE staff_id = @staffId AND insurer_id = @insurerId)',
  );
  inScope.pluck();
  const queue = db.prepare<{ survey: number; status: string; lateOnly: number; afterAt: number; afterId: number; limit: number }, QueueRow>(
    `SELECT ${QUEUE_COLUMNS} FROM survey_cases c JOIN members m ON m.id = c.member_id
     WHERE c.survey_id = @survey AND c.status = @status AND (@lateOnly = 0 OR c.late = 1)
       AND (c.first_submitted_at, c.id) > (@afterAt, @afterId)
     ORDER BY c.first_submitted_at, c.id LIMIT @limit`,
  );
  const byCard = db.prepare<{ survey: number; insurer: number; symbol: string; number: string }, QueueRow>(
    `SELECT ${QUEUE_COLUMNS} FROM members m JOIN survey_cases c ON c.member_id = m.id AND c.survey_id = @survey
     WHERE m.insurer_id = @insurer AND m.symbol = @symbol AND m.number = @number`,
  );
  const lateCount = db.prepare<[number], number>('SELECT count(*) FROM survey_cases WHERE survey_id = ? AND late = 1 AND first_submitted_at IS NOT NULL');
  lateCount.pluck();
  // first_submitted_at is UTC milliseconds; + 9 h and whole days of 86,400,000 ms give the Japan
  // day as a number (integer arithmetic: date() on 100,000 rows costs several times more).
  const perDay = db.prepare<[number], { dayNumber: number; n: number }>(
    `SELECT (first_submitted_at + 32400000) / 86400000 AS dayNumber, count(*) AS n
     FROM survey_cases WHERE survey_id = ? AND first_submitted_at IS NOT NULL GROUP BY dayNumber ORDER BY dayNumber`,
  );
  const caseMember = db.prepare<[number], CaseMemberRow>(
    `SELECT m.id AS member_id, m.insurer_id, m.symbol, m.number, m.name, m.name_kana, m.birth_date,
       coalesce(a.email, m.email) AS address, a.id AS account_id
     FROM survey_cases c JOIN members m ON m.id = c.member_id
     LEFT JOIN accounts a ON a.member_id = m.id AND a.status = 'active'
     WHERE c.id = ?`,
  );
  const decisions = db.prepare<[number], DecisionRow>(
    `SELECT x.dependent_id, x.decision, x.removal_date, x.reason, x.decided_at, s.login_id AS decided_by
     FROM survey_decisions x JOIN staff s ON s.id = x.decided_by_staff_id
     WHERE x.dependent_id IN (SELECT id FROM survey_dependents WHERE case_id = ?)`,
  );
  // A decision replaces the one the reviewer saw (decided_at = @seen, or none): a second
  // reviewer who saw the same state finds it changed and is refused.
  const insertDecision = db.prepare(
    `INSERT OR IGNORE INTO survey_decisions (dependent_id, decision, removal_date, reason, decided_by_staff_id, decided_at)
     VALUES (@dependentId, @decision, @removalDate, @reason, @staffId, @now)`,
  );
  const updateDecision = db.prepare(
    `UPDATE survey_decisions SET decision = @decision, removal_date = @removalDate, reason = @reason,
       decided_by_staff_id = @staffId, decided_at = @now WHERE dependent_id = @dependentId AND decided_at = @seen`,
  );
  const dependentOfCase = db.prepare<[number, number], { id: number; name: string }>('SELECT id, name FROM survey_dependents WHERE id = ? AND case_id = ?');
  const dependentIds = db.prepare<[number], number>('SELECT id FROM survey_dependents WHERE case_id = ?');
  dependentIds.pluck();
  const caseOfDocument = db.prepare<[number], number>('SELECT case_id FROM survey_documents WHERE id = ?');
  caseOfDocument.pluck();
  const requests = db.prepare<[number], RequestRow>(
    'SELECT id, kind, message, due_date, created_at, resolved_at FROM survey_requests WHERE case_id = ? ORDER BY created_at DESC, id DESC',
  );
  const insertRequest = db.prepare(
    `INSERT INTO survey_requests (case_id, kind, message, due_date, created_by_staff_id, created_at)
     VALUES (@caseId, @kind, @message, @dueDate, @staffId, @now)`,
  );
  const resolveRequests = db.prepare<[number, number]>('UPDATE survey_requests SET resolved_at = ? WHERE case_id = ? AND resolved_at IS NULL');
  const moveCase = db.prepare<{ id: number; to: CaseStatus; now: number; from: string }>(
    `UPDATE survey_cases SET status = @to, updated_at = @now,
       review_started_at = coalesce(review_started_at, CASE WHEN @to = 'in_review' THEN @now END),
       completed_at = CASE WHEN @to = 'completed' THEN @now ELSE completed_at END
     WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`,
  );
  const decideDocument = db.prepare<{ id: number; state: string; reason: string | null; staffId: number; now: number }>(
    `UPDATE survey_documents SET state = @state, reason = @reason, decided_at = @now, decided_by_staff_id = @staffId
     WHERE id = @id AND state IN ('received', 'accepted', 'rejected') AND file_purged_at IS NULL`,
  );
  const markPurged = db.prepare<[number, number]>('UPDATE survey_documents SET file_purged_at = ? WHERE id = ? AND file_purged_at IS NULL');
  const purgeable = db.prepare<{ survey: number; before: number }, { id: number; storage_key: string; has_thumbnail: number }>(
    `SELECT d.id, d.storage_key, d.has_thumbnail FROM survey_cases c JOIN survey_documents d ON d.case_id = c.id
     WHERE c.survey_id = @survey AND c.status = 'completed' AND c.completed_at < @before AND d.file_purged_at IS NULL AND d.state <> 'uploading'`,
  );

  return {
    inScope: (scope: StaffScope, insurerId: number) => inScope.get({ all: scope.all ? 1 : 0, staffId: scope.staffId, insurerId }) === 1,
    queue: (q: { survey: number; status: string; lateOnly: boolean; after: { at: number; id: number }; limit: number }) =>
      queue.all({ survey: q.survey, status: q.status, lateOnly: q.lateOnly ? 1 : 0, afterAt: q.after.at, afterId: q.after.id, limit: q.limit }),
    byCard: (survey: number, insurer: number, symbol: string, number: string) => byCard.all({ survey, insurer, symbol, number }),
    lateCount: (surveyId: number) => lateCount.get(surveyId) ?? 0,
    perDay: (surveyId: number) =>
      perDay.all(surveyId).map((r) => ({ day: new Date(r.dayNumber * 86_400_000).toISOString().slice(0, 10), n: r.n })),
    caseMember: (caseId: number) => caseMember.get(caseId),
    decisions: (caseId: number) => decisions.all(caseId),
    /** Writes a decision if the current one is still what the reviewer saw (`seen` = its decided_at, 0 for none). */
    decide: (d: { dependentId: number; decision: string; removalDate: string | null; reason: string | null; staffId: number; now: number; seen: number }) =>
      (d.seen === 0 ? insertDecision.run(d).changes : updateDecision.run(d).changes) === 1,
    dependentOfCase: (id: number, caseId: number) => dependentOfCase.get(id, caseId),
    dependentIds: (caseId: number) => dependentIds.all(caseId),
    caseOfDocument: (documentId: number) => caseOfDocument.get(documentId),
    requests: (caseId: number) => requests.all(caseId),
    addRequest: (r: { caseId: number; kind: 'documents' | 'return'; message: string; dueDate: string | null; staffId: number; now: number }) => {
      resolveRequests.run(r.now, r.caseId);
      insertRequest.run(r);
    },
    resolveRequests: (caseId: number, now: number) => {
      resolveRequests.run(now, caseId);
    },
    /** Moves the case only from one of `from` (a replayed or concurrent action finds it moved on). */
    moveCase: (id: number, from: CaseStatus[], to: CaseStatus, now: number) => moveCase.run({ id, to, now, from: JSON.stringify(from) }).changes === 1,
    decideDocument: (d: { id: number; state: 'accepted' | 'rejected'; reason: string | null; staffId: number; now: number }) => decideDocument.run(d).changes === 1,
    markPurged: (id: number, now: number) => markPurged.run(now, id).changes === 1,
    purgeable: (surveyId: number, before: number) => purgeable.all({ survey: surveyId, before }),
  };

}

export type ReviewQueries = ReturnType<typeof createReviewQueries>;

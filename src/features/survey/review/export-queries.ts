import type { Db } from '../../../db/database.js';
import type { Relationship } from '../labels.js';

/** One target dependent as the results export reads it (answers and decision may be missing). */
export interface ExportRow {
  case_id: number;
  symbol: string;
  number: string;
  dependent_no: string;
  name_kana: string;
  birth_date: string;
  relationship: Relationship;
  status: string;
  submitted_at: number | null;
  late: number;
  continuation: string | null;
  residence: string | null;
  apart_reason: string | null;
  monthly_support: number | null;
  lives_in_japan: string | null;
  occupation: string | null;
  income_salary: number | null;
  income_pension: number | null;
  income_business: number | null;
  income_other: number | null;
  disabled: string | null;
  complete: number | null;
  decision: string | null;
  removal_date: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: number | null;
}

export interface NonresponderRow {
  id: number;
  symbol: string;
  number: string;
  name: string;
  status: string;
  has_address: number;
}

/** The batch size of both exports: each batch is read whole, written, and the writer drained before the next. */
export const EXPORT_BATCH = 500;

/**
 * The exports read a survey's cases in id order, EXPORT_BATCH cases at a time, through the index
 * survey_cases (survey_id, id). No statement stays open across a write, so other requests keep
 * using the connection while a large export waits on a slow client.
 */
export function createExportQueries(db: Db) {
  const results = db.prepare<{ survey: number; after: number; limit: number }, ExportRow>(
    `SELECT c.id AS case_id, m.symbol, m.number, d.dependent_no, d.name_kana, d.birth_date, d.relationship, c.status, c.submitted_at, c.late,
       a.continuation, a.residence, a.apart_reason, a.monthly_support, a.lives_in_japan, a.occupation, a.income_salary, a.income_pension,
       a.income_business, a.income_other, a.disabled, a.complete,
       x.decision, x.removal_date, x.reason AS decision_reason, s.login_id AS decided_by, x.decided_at
     FROM (SELECT id, member_id, status, submitted_at, late FROM survey_cases WHERE survey_id = @survey AND id > @after ORDER BY id LIMIT @limit) c
     JOIN members m ON m.id = c.member_id
     JOIN survey_dependents d ON d.case_id = c.id
     LEFT JOIN survey_answers a ON a.dependent_id = d.id
     LEFT JOIN survey_decisions x ON x.dependent_id = d.id
     LEFT JOIN staff s ON s.id = x.decided_by_staff_id
     ORDER BY c.id, d.dependent_no + 0, d.dependent_no`,
  );
  const nonresponders = db.prepare<{ survey: number; after: number; limit: number }, NonresponderRow>(
    `SELECT c.id, m.symbol, m.number, m.name, c.status,
       (m.email IS NOT NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id AND a.status = 'active')) AS has_address
     FROM survey_cases c JOIN members m ON m.id = c.member_id
     WHERE c.survey_id = @survey AND c.id > @after AND c.status IN ('not_started', 'in_progress', 'returned')
     ORDER BY c.id LIMIT @limit`,
  );
  return {
    results: (survey: number, after: number) => results.all({ survey, after, limit: EXPORT_BATCH }),
    nonresponders: (survey: number, after: number) => nonresponders.all({ survey, after, limit: EXPORT_BATCH }),
  };
}

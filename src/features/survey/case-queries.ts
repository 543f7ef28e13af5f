import type { Db } from '../../db/database.js';
import type { CaseStatus, Relationship } from './labels.js';

export interface CaseRow {
  id: number;
  survey_id: number;
  member_id: number;
  status: CaseStatus;
  submitted_at: number | null;
  first_submitted_at: number | null;
  late: number;
  receipt_number: string | null;
  attested_at: number | null;
  rules_effective: string | null;
  review_started_at: number | null;
  completed_at: number | null;
}

export interface DependentRow {
  id: number;
  case_id: number;
  dependent_no: string;
  name: string;
  name_kana: string;
  birth_date: string;
  relationship: Relationship;
  certified_on: string | null;
}

/** survey_answers as stored (snake case; NULL = not answered or not applicable). */
export interface AnswersRow {
  dependent_id: number;
  continuation: string | null;
  removal_date: string | null;
  removal_reason: string | null;
  residence: string | null;
  apart_reason: string | null;
  monthly_support: number | null;
  lives_in_japan: string | null;
  abroad_reason: string | null;
  occupation: string | null;
  income_salary: number | null;
  income_pension: number | null;
  income_business: number | null;
  income_other: number | null;
  disabled: string | null;
  complete: number;
}

const CASE_COLUMNS =
  'id, survey_id, member_id, status, submitted_at, first_submitted_at, late, receipt_number, attested_at, rules_effective, review_started_at, completed_at';
const DEPENDENT_COLUMNS = 'id, case_id, dependent_no, name, name_kana, birth_date, relationship, certified_on';
const ANSWER_COLUMNS =
  'dependent_id, continuation, removal_date, removal_reason, residence, apart_reason, monthly_support, lives_in_japan, abroad_reason, occupation, income_salary, income_pension, income_business, income_other, disabled, complete';

/** Cases, their dependents and answers. */
export function createCaseQueries(db: Db) {
  const byId = db.prepare<[number], CaseRow>(`SELECT ${CASE_COLUMNS} FROM survey_cases WHERE id = ?`);
  const ofMember = db.prepare<[number, number], CaseRow>(`SELECT ${CASE_COLUMNS} FROM survey_cases WHERE survey_id = ? AND member_id = ?`);
  const latestOfMember = db.prepare<[number], CaseRow>(
    `SELECT ${CASE_COLUMNS} FROM survey_cases WHERE member_id = ? ORDER BY survey_id DESC LIMIT 1`,
  );
  const insertCase = db.prepare<[number, number, number, number]>(
    'INSERT INTO survey_cases (survey_id, member_id, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (survey_id, member_id) DO NOTHING',
  );
  const setStatus = db.prepare<[CaseStatus, number, number, CaseStatus]>(
    'UPDATE survey_cases SET status = ?, updated_at = ? WHERE id = ? AND status = ?',
  );
  const submit = db.prepare<{ id: number; now: number; late: number; receipt: string; rules: string }>(
    `UPDATE survey_cases SET status = 'submitted', submitted_at = @now, first_submitted_at = coalesce(first_submitted_at, @now),
       late = @late, receipt_number = coalesce(receipt_number, @receipt), attested_at = @now, rules_effective = @rules, updated_at = @now
     WHERE id = @id AND status IN ('not_started', 'in_progress', 'returned')`,
  );
  const withdraw = db.prepare<[number, number]>(
    `UPDATE survey_cases SET status = 'in_progress', attested_at = NULL, rules_effective = NULL, updated_at = ?
     WHERE id = ? AND status = 'submitted'`,
  );
  const dependents = db.prepare<[number], DependentRow>(`SELECT ${DEPENDENT_COLUMNS} FROM survey_dependents WHERE case_id = ? ORDER BY dependent_no + 0, dependent_no`);
  const dependent = db.prepare<[number], DependentRow>(`SELECT ${DEPENDENT_COLUMNS} FROM survey_dependents WHERE id = ?`);
  const answersOfCase = db.prepare<[number], AnswersRow>(
    `SELECT ${ANSWER_COLUMNS} FROM survey_answers WHERE dependent_id IN (SELECT id FROM survey_dependents WHERE case_id = ?)`,
  );
  const answers = db.prepare<[number], AnswersRow>(`SELECT ${ANSWER_COLUMNS} FROM survey_answers WHERE dependent_id = ?`);
  const saveAnswers = db.prepare(
    `INSERT INTO survey_answers (${ANSWER_COLUMNS}, updated_at)
     VALUES (@dependent_id, @continuation, @removal_date, @removal_reason, @residence, @apart_reason, @monthly_support, @lives_in_japan,
       @abroad_reason, @occupation, @income_salary, @income_pension, @income_business, @income_other, @disabled, @complete, @now)
     ON CONFLICT (dependent_id) DO UPDATE SET continuation = excluded.continuation, removal_date = excluded.removal_date,
       removal_reason = excluded.removal_reason, residence = excluded.residence, apart_reason = excluded.apart_reason,
       monthly_support = excluded.monthly_support, lives_in_japan = excluded.lives_in_japan, abroad_reason = excluded.abroad_reason,
       occupation = excluded.occupation, income_salary = excluded.income_salary, income_pension = excluded.income_pension,
       income_business = excluded.income_business, income_other = excluded.income_other, disabled = excluded.disabled,
       complete = excluded.complete, updated_at = excluded.updated_at`,
  );

  return {
    byId: (id: number) => byId.get(id),
    ofMember: (surveyId: number, memberId: number) => ofMember.get(surveyId, memberId),
    latestOfMember: (memberId: number) => latestOfMember.get(memberId),
    ensureCase: (surveyId: number, memberId: number, now: number): CaseRow => {
      insertCase.run(surveyId, memberId, now, now);
      return ofMember.get(surveyId, memberId)!;
    },
    /** Moves the case only if it is still in `from` (a replayed form finds it moved on). */
    moveStatus: (id: number, from: CaseStatus, to: CaseStatus, now: number) => setStatus.run(to, now, id, from).changes === 1,
    submit: (s: { id: number; now: number; late: boolean; receipt: string; rules: string }) =>
      submit.run({ ...s, late: s.late ? 1 : 0 }).changes === 1,
    withdraw: (id: number, now: number) => withdraw.run(now, id).changes === 1,
    dependents: (caseId: number) => dependents.all(caseId),
    dependent: (id: number) => dependent.get(id),
    answersOfCase: (caseId: number) => answersOfCase.all(caseId),
    answers: (dependentId: number) => answers.get(dependentId),
    saveAnswers: (row: AnswersRow, now: number) => {
      saveAnswers.run({ ...row, now });
    },
  };
}

export type CaseQueries = ReturnType<typeof createCaseQueries>;

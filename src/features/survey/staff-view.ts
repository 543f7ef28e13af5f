import type { Db } from '../../db/database.js';
import { createCaseQueries } from './case-queries.js';
import { daysBetween, japaneseBirthDate, japaneseDate } from './dates.js';
import { DOCUMENT_KINDS } from './documents/rules.js';
import { createDocumentQueries } from './documents/queries.js';
import { CASE_STATUS_LABELS, DOCUMENT_STATE_LABELS } from './labels.js';
import { createSurveyQueries } from './survey-queries.js';

/**
 * What the call center sees of a member's survey cases, to answer a call: status, deadline,
 * dependents and which documents arrived (kind, time, state). Never a document's content, name
 * or storage key, and no answers.
 */
export interface StaffSurveyCase {
  title: string;
  deadline: string;
  daysLeft: number;
  statusLabel: string;
  late: boolean;
  receiptNumber: string | null;
  submittedAt: number | null;
  dependents: { name: string; nameKana: string; relationship: string; birthDate: string; answered: boolean }[];
  documents: { dependentName: string; kindName: string; uploadedAt: number; stateLabel: string }[];
}

export function createStaffSurveyView(deps: { db: Db }) {
  const cases = createCaseQueries(deps.db);
  const surveys = createSurveyQueries(deps.db);
  const documents = createDocumentQueries(deps.db);
  const ofMember = deps.db.prepare<[number], number>('SELECT id FROM survey_cases WHERE member_id = ? ORDER BY survey_id DESC LIMIT 3');
  ofMember.pluck();

  return {
    /** The member's newest cases (the caller has already checked the member is in the operator's insurers). */
    forMember(memberId: number, today: string): StaffSurveyCase[] {
      return ofMember.all(memberId).map((caseId) => {
        const kase = cases.byId(caseId)!;
        const survey = surveys.byId(kase.survey_id)!;
        const dependents = cases.dependents(caseId);
        const answers = new Map(cases.answersOfCase(caseId).map((a) => [a.dependent_id, a.complete === 1]));
        const names = new Map(dependents.map((d) => [d.id, d.name]));
        return {
          title: survey.title,
          deadline: japaneseDate(survey.closes_on),
          daysLeft: daysBetween(today, survey.closes_on),
          statusLabel: CASE_STATUS_LABELS[kase.status],
          late: kase.late === 1,
          receiptNumber: kase.receipt_number,
          submittedAt: kase.submitted_at,
          dependents: dependents.map((d) => ({
            name: d.name, nameKana: d.name_kana, relationship: d.relationship, birthDate: japaneseBirthDate(d.birth_date), answered: answers.get(d.id) === true,
          })),
          documents: documents.ofCase(caseId).map((x) => ({
            dependentName: names.get(x.dependent_id) ?? '', kindName: DOCUMENT_KINDS[x.kind]?.name ?? x.kind, uploadedAt: x.uploaded_at,
            stateLabel: DOCUMENT_STATE_LABELS[x.state] ?? x.state,
          })),
        };
      });
    },
  };
}

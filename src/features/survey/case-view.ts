import type { AnswersRow, CaseRow, DependentRow } from './case-queries.js';
import { ageOn, daysBetween, japaneseBirthDate, japaneseDate } from './dates.js';
import { DOCUMENT_KINDS, requiredKinds, ruleSetFor } from './documents/rules.js';
import type { DocumentRow } from './documents/queries.js';
import { CASE_STATUS_LABELS, DOCUMENT_STATE_LABELS } from './labels.js';
import { answerLines } from './questionnaire.js';
import type { SurveyRow } from './survey-queries.js';

/** One uploaded document as the member sees it (never its storage key). */
export interface MemberDocument {
  id: number;
  kind: string;
  kindName: string;
  name: string;
  mediaType: string;
  size: number;
  state: string;
  stateLabel: string;
  reason: string | null;
  uploadedAt: number;
  hasThumbnail: boolean;
  deletable: boolean;
}

export interface DependentView {
  id: number;
  name: string;
  nameKana: string;
  relationship: string;
  birthDate: string;
  birthDateText: string;
  age: number;
  answered: boolean;
  answers: { label: string; value: string }[];
  /** 'none': the answers mean no document (a removal, or a change already notified). */
  noDocuments: boolean;
  continuation: string | null;
  required: { kind: string; name: string; where: string; documents: MemberDocument[] }[];
  documentsHave: number;
  documentsNeed: number;
  progress: string;
}

export interface CaseView {
  survey: { id: number; title: string; opensOn: string; closesOn: string; deadline: string; daysLeft: number; closed: boolean };
  caseId: number;
  status: string;
  statusLabel: string;
  receiptNumber: string | null;
  submittedAt: number | null;
  late: boolean;
  editable: boolean;
  canUpload: boolean;
  canWithdraw: boolean;
  dependents: DependentView[];
  /** Every answer given and every required document present: 提出内容の確認へ. */
  complete: boolean;
  missing: string[];
  documentCount: number;
  /** The society's open request (追加書類依頼 or 差し戻し) with its message, set by the member service. */
  request?: { kind: 'documents' | 'return'; kindLabel: string; message: string; dueDate: string | null };
  /** Once 審査完了: the society's decision for each dependent. */
  outcomes?: { name: string; label: string; removalDate: string | null }[];
}

export const EDITABLE: ReadonlySet<string> = new Set(['not_started', 'in_progress', 'returned']);
export const UPLOADABLE: ReadonlySet<string> = new Set(['not_started', 'in_progress', 'returned', 'submitted', 'in_review', 'documents_requested']);

/** Builds the member's view of a case from its rows; `today` is the Japan day. */
export function buildCaseView(o: {
  survey: SurveyRow; kase: CaseRow; dependents: DependentRow[]; answers: AnswersRow[]; documents: DocumentRow[]; today: string;
}): CaseView {
  const { survey, kase, today } = o;
  const editable = EDITABLE.has(kase.status);
  // A submitted case keeps the rules it was submitted under.
  const rules = ruleSetFor(kase.rules_effective ?? today);
  const answersBy = new Map(o.answers.map((a) => [a.dependent_id, a]));
  const missing: string[] = [];
  const dependents = o.dependents.map((d): DependentView => {
    const a = answersBy.get(d.id);
    const kinds = requiredKinds(rules, d, a, survey.opens_on);
    const docs = o.documents.filter((x) => x.dependent_id === d.id && x.state !== 'deleted').map((x) => memberDocument(x, editable));
    const required = (kinds === 'none' ? [] : kinds).map((kind) => ({
      kind, ...DOCUMENT_KINDS[kind]!, documents: docs.filter((x) => x.kind === kind),
    }));
    const answered = a?.complete === 1;
    const have = required.filter((r) => r.documents.some((x) => x.state === 'received' || x.state === 'accepted')).length;
    if (!answered) missing.push(`${d.name}さんの回答`);
    for (const r of required) if (!r.documents.some((x) => x.state === 'received' || x.state === 'accepted')) missing.push(`${d.name}さんの${r.name}`);
    return {
      id: d.id, name: d.name, nameKana: d.name_kana, relationship: d.relationship, birthDate: d.birth_date,
      birthDateText: japaneseBirthDate(d.birth_date), age: ageOn(d.birth_date, today), answered, answers: answerLines(a),
      noDocuments: kinds === 'none', continuation: a?.continuation ?? null, required, documentsHave: have, documentsNeed: required.length,
      progress: !answered ? '未回答' : required.length > 0 ? `回答済み・書類 ${have}/${required.length}` : '回答済み',
    };
  });
  const daysLeft = daysBetween(today, survey.closes_on);
  return {
    survey: {
      id: survey.id, title: survey.title, opensOn: survey.opens_on, closesOn: survey.closes_on,
      deadline: japaneseDate(survey.closes_on), daysLeft, closed: daysLeft < 0,
    },
    caseId: kase.id,
    status: kase.status,
    statusLabel: CASE_STATUS_LABELS[kase.status],
    receiptNumber: kase.receipt_number,
    submittedAt: kase.submitted_at,
    late: kase.late === 1,
    editable,
    canUpload: UPLOADABLE.has(kase.status),
    canWithdraw: kase.status === 'submitted',
    dependents,
    complete: missing.length === 0,
    missing,
    documentCount: o.documents.filter((x) => x.state === 'received' || x.state === 'accepted').length,
  };
}

function memberDocument(x: DocumentRow, beforeSubmit: boolean): MemberDocument {
  return {
    id: x.id, kind: x.kind, kindName: DOCUMENT_KINDS[x.kind]?.name ?? x.kind, name: x.original_name, mediaType: x.media_type ?? '',
    size: x.size ?? 0, state: x.state, stateLabel: DOCUMENT_STATE_LABELS[x.state] ?? x.state, reason: x.reason,
    uploadedAt: x.uploaded_at, hasThumbnail: x.has_thumbnail === 1, deletable: beforeSubmit && x.state === 'received',
  };
}

import type { Readable } from 'node:stream';
import { inTransaction, type Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { recordAudit } from '../../audit/writer.js';
import type { SignedInStaff } from '../../staff/guard.js';
import { createCaseQueries, type CaseRow } from '../case-queries.js';
import { buildCaseView } from '../case-view.js';
import { japaneseBirthDate, japaneseDate, todayJst } from '../dates.js';
import { DOCUMENT_KINDS } from '../documents/rules.js';
import { createDocumentQueries } from '../documents/queries.js';
import type { DocumentStore } from '../documents/store.js';
import { CASE_STATUS_LABELS, DOCUMENT_STATE_LABELS } from '../labels.js';
import { createSurveyQueries, type SurveyRow } from '../survey-queries.js';
import { eligibilityHint } from './eligibility.js';
import { createReviewQueries } from './queries.js';
import { ACTIVE_STATUSES, DECISION_LABELS, isDecided } from './rules.js';

export interface ReviewDocument {
  id: number;
  kindName: string;
  mediaType: string;
  isImage: boolean;
  state: string;
  stateLabel: string;
  reason: string | null;
  uploadedAt: number;
  /** The file is still in the store (not removed for a マイナンバー, a member's deletion or the purge). */
  viewable: boolean;
}

/** The staff's own view of a case: never a storage key; the member's file name is shown escaped only. */
export function createReviewCaseService(deps: { db: Db; clock: Clock; store: DocumentStore }) {
  const { db, clock } = deps;
  const cases = createCaseQueries(db);
  const surveys = createSurveyQueries(db);
  const documents = createDocumentQueries(db);
  const q = createReviewQueries(db);
  const purgedOf = db.prepare<[number], number>('SELECT id FROM survey_documents WHERE case_id = ? AND file_purged_at IS NOT NULL');
  purgedOf.pluck();

  /** The case and its survey, if the survey's insurer is one of the staff member's. */
  function caseInScope(staff: SignedInStaff, caseId: number): { kase: CaseRow; survey: SurveyRow } | undefined {
    const kase = cases.byId(caseId);
    const survey = kase && surveys.byId(kase.survey_id);
    if (!kase || !survey || !q.inScope(staff.scope, survey.insurer_id)) return undefined;
    return { kase, survey };
  }

  function view(kase: CaseRow, survey: SurveyRow) {
    const member = q.caseMember(kase.id)!;
    const dependents = cases.dependents(kase.id);
    const answers = cases.answersOfCase(kase.id);
    const rows = documents.ofCase(kase.id);
    const purged = new Set(purgedOf.all(kase.id));
    const decisions = new Map(q.decisions(kase.id).map((d) => [d.dependent_id, d]));
    const base = buildCaseView({ survey, kase, dependents, answers, documents: rows, today: todayJst(clock.now()) });
    const doc = (x: (typeof rows)[number]): ReviewDocument => ({
      id: x.id, kindName: DOCUMENT_KINDS[x.kind]?.name ?? x.kind, mediaType: x.media_type ?? '', isImage: (x.media_type ?? '').startsWith('image/'),
      state: x.state, stateLabel: DOCUMENT_STATE_LABELS[x.state] ?? x.state, reason: x.reason, uploadedAt: x.uploaded_at,
      viewable: !purged.has(x.id) && x.state !== 'deleted',
    });
    const active = ACTIVE_STATUSES.has(kase.status);
    return {
      caseId: kase.id, status: kase.status, statusLabel: CASE_STATUS_LABELS[kase.status], late: kase.late === 1,
      receiptNumber: kase.receipt_number, submittedAt: kase.submitted_at, firstSubmittedAt: kase.first_submitted_at,
      survey: { id: survey.id, title: survey.title, deadline: japaneseDate(survey.closes_on) },
      member: { name: member.name, nameKana: member.name_kana, symbol: member.symbol, number: member.number, birthDate: japaneseBirthDate(member.birth_date), hasAddress: member.address !== null },
      canAct: active,
      canComplete: active && dependents.every((d) => isDecided(decisions.get(d.id))),
      requests: q.requests(kase.id).map((r) => ({ kindLabel: r.kind === 'documents' ? '追加書類依頼' : '差し戻し', message: r.message, dueDate: r.due_date, createdAt: r.created_at, open: r.resolved_at === null })),
      dependents: base.dependents.map((d) => {
        const row = dependents.find((x) => x.id === d.id)!;
        const decision = decisions.get(d.id);
        const requiredKinds = new Set(d.required.map((r) => r.kind));
        return {
          id: d.id, name: d.name, nameKana: d.nameKana, relationship: d.relationship, birthDateText: d.birthDateText, age: d.age,
          answered: d.answered, answers: d.answers, noDocuments: d.noDocuments,
          hint: eligibilityHint(row, answers.find((a) => a.dependent_id === d.id), survey.opens_on),
          required: d.required.map((r) => ({
            kind: r.kind, name: r.name,
            received: r.documents.some((x) => x.state === 'received' || x.state === 'accepted'),
            documents: rows.filter((x) => x.dependent_id === d.id && x.kind === r.kind).map(doc),
          })),
          otherDocuments: rows.filter((x) => x.dependent_id === d.id && !requiredKinds.has(x.kind)).map(doc),
          decision: decision && { ...decision, label: DECISION_LABELS[decision.decision] },
          /** The decision this page shows, sent back with a new one (two reviewers at once: the second is refused). */
          seen: decision?.decided_at ?? 0,
        };
      }),
    };
  }

  return {
    caseInScope,
    /** The case a document belongs to (scope is checked by the action that follows). */
    caseOfDocument: (documentId: number) => q.caseOfDocument(documentId),
    /**
     * An audited view of one case. The first view by a reviewer (or supervisor) moves a
     * submitted case to 審査中, which also ends the member's right to withdraw it.
     */
    open(staff: SignedInStaff, caseId: number, clientIp: string) {
      return inTransaction(db, () => {
        const found = caseInScope(staff, caseId);
        if (!found) return undefined;
        const now = clock.now();
        const started = q.moveCase(caseId, ['submitted'], 'in_review', now);
        const member = q.caseMember(caseId)!;
        recordAudit(db, clock, {
          staffId: staff.id, staffLogin: staff.loginId, clientIp, action: 'view_survey_case', memberId: member.member_id,
          detail: `調査 ${found.survey.id}・ケース ${caseId}${started ? '（審査開始）' : ''}`,
        });
        return view(cases.byId(caseId)!, found.survey);
      });
    },
    /** An audited view of one document's content; undefined when it is not there for this staff member. */
    document(staff: SignedInStaff, documentId: number, clientIp: string): { stream: Readable; mediaType: string; filename: string } | undefined {
      const meta = inTransaction(db, () => {
        const d = documents.byId(documentId);
        if (!d || d.state === 'uploading' || d.state === 'deleted' || !d.media_type) return undefined;
        const found = caseInScope(staff, d.case_id);
        if (!found || purgedOf.all(d.case_id).includes(d.id)) return undefined;
        recordAudit(db, clock, {
          staffId: staff.id, staffLogin: staff.loginId, clientIp, action: 'view_survey_document', memberId: q.caseMember(d.case_id)!.member_id,
          detail: `書類 ${d.id}（${DOCUMENT_KINDS[d.kind]?.name ?? d.kind}）・ケース ${d.case_id}`,
        });
        return d;
      });
      if (!meta) return undefined;
      const ext = meta.media_type === 'application/pdf' ? 'pdf' : meta.media_type === 'image/png' ? 'png' : 'jpg';
      // The member's own file name is never sent: a name made of the id cannot break the header.
      return { stream: deps.store.get(meta.storage_key), mediaType: meta.media_type!, filename: `document-${meta.id}.${ext}` };
    },
  };
}

export type ReviewCaseService = ReturnType<typeof createReviewCaseService>;
export type ReviewCaseView = NonNullable<ReturnType<ReviewCaseService['open']>>;

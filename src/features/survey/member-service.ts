import { inTransaction, type Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import type { FieldErrors } from '../../http/forms.js';
import { findInsurerById } from '../registry/insurers.js';
import { createCaseQueries, type CaseRow } from './case-queries.js';
import { buildCaseView, EDITABLE, type CaseView } from './case-view.js';
import { todayJst } from './dates.js';
import { ruleSetFor } from './documents/rules.js';
import { createDocumentQueries } from './documents/queries.js';
import { enqueueReceiptMail } from './mails.js';
import { formValues, readAnswers } from './questionnaire.js';
import { createReviewQueries } from './review/queries.js';
import { DECISION_LABELS } from './review/rules.js';
import { createSurveyQueries, type SurveyRow } from './survey-queries.js';

/** The signed-in member as this feature needs them. */
export interface SurveyMember {
  memberId: number;
  insurerId: number;
  accountId: number;
  email: string;
  memberName: string;
}

export type SaveResult =
  | { ok: true; complete: boolean; errors: FieldErrors }
  | { ok: false; reason: 'not_found' | 'locked' };

export type SubmitResult = { ok: true; receiptNumber: string; late: boolean } | { ok: false; reason: 'not_found' | 'locked' | 'incomplete' | 'attest'; missing?: string[] };

/**
 * The member's side of the survey. Every id a member sends is looked up through their own
 * case, so another member's dependent or case is simply not found (404). State changes check
 * the case's status inside the write transaction, so a replayed old form cannot change a
 * submitted case.
 */
export function createSurveyMemberService(deps: { db: Db; clock: Clock; baseUrl: string }) {
  const { db, clock } = deps;
  const surveys = createSurveyQueries(db);
  const cases = createCaseQueries(db);
  const documents = createDocumentQueries(db);
  const review = createReviewQueries(db);

  /** The case to show: the open survey's, else the newest one not yet completed. */
  function currentCase(m: SurveyMember): { survey: SurveyRow; kase: CaseRow } | undefined {
    const open = surveys.openFor(m.insurerId, todayJst(clock.now()));
    const ofOpen = open && cases.ofMember(open.id, m.memberId);
    if (open && ofOpen) return { survey: open, kase: ofOpen };
    // A survey not yet open stays hidden until its first day, even though its targets are imported.
    const latest = cases.latestOfMember(m.memberId);
    const survey = latest && surveys.byId(latest.survey_id);
    if (latest && survey && latest.status !== 'completed' && survey.opens_on <= todayJst(clock.now())) return { survey, kase: latest };
    return undefined;
  }

  function view(survey: SurveyRow, kase: CaseRow): CaseView {
    const v = buildCaseView({
      survey, kase, dependents: cases.dependents(kase.id), answers: cases.answersOfCase(kase.id),
      documents: documents.ofCase(kase.id), today: todayJst(clock.now()),
    });
    // What the society asked for, while the member is the one to act; and the outcome once completed.
    if (kase.status === 'documents_requested' || kase.status === 'returned') {
      const open = review.requests(kase.id).find((r) => r.resolved_at === null);
      if (open) v.request = { kind: open.kind, kindLabel: open.kind === 'documents' ? '追加書類のお願い' : '回答の修正のお願い', message: open.message, dueDate: open.due_date };
    }
    if (kase.status === 'completed') {
      const decisions = new Map(review.decisions(kase.id).map((d) => [d.dependent_id, d]));
      v.outcomes = v.dependents.map((d) => {
        const x = decisions.get(d.id);
        return { name: d.name, label: x ? DECISION_LABELS[x.decision] : '—', removalDate: x?.removal_date ?? null };
      });
    }
    return v;
  }

  function ownDependent(m: SurveyMember, dependentId: number) {
    const current = currentCase(m);
    if (!current) return undefined;
    const d = cases.dependent(dependentId);
    if (!d || d.case_id !== current.kase.id) return undefined;
    return { ...current, dependent: d };
  }

  return {
    currentCase,
    /** What my page's card shows; `openSurveyTitle` alone when this year's survey does not concern the member. */
    card(m: SurveyMember): { view?: CaseView; openSurveyTitle?: string } | undefined {
      const current = currentCase(m);
      if (current) return { view: view(current.survey, current.kase) };
      const open = surveys.openFor(m.insurerId, todayJst(clock.now()));
      return open ? { openSurveyTitle: open.title } : undefined;
    },
    overview(m: SurveyMember): CaseView | undefined {
      const current = currentCase(m);
      return current && view(current.survey, current.kase);
    },
    dependentForm(m: SurveyMember, dependentId: number) {
      const own = ownDependent(m, dependentId);
      if (!own) return undefined;
      const v = view(own.survey, own.kase);
      return { view: v, dependent: v.dependents.find((d) => d.id === dependentId)!, values: formValues(cases.answers(dependentId)) };
    },
    saveAnswers(m: SurveyMember, dependentId: number, body: Record<string, unknown>): SaveResult {
      return inTransaction(db, (): SaveResult => {
        const own = ownDependent(m, dependentId);
        if (!own) return { ok: false, reason: 'not_found' };
        const kase = cases.byId(own.kase.id)!;
        if (!EDITABLE.has(kase.status)) return { ok: false, reason: 'locked' };
        const read = readAnswers(dependentId, body);
        const now = clock.now();
        cases.saveAnswers(read.row, now);
        cases.moveStatus(kase.id, 'not_started', 'in_progress', now);
        return { ok: true, complete: read.complete, errors: read.errors };
      });
    },
    submit(m: SurveyMember, attest: boolean): SubmitResult {
      return inTransaction(db, (): SubmitResult => {
        const current = currentCase(m);
        if (!current) return { ok: false, reason: 'not_found' };
        const { survey, kase } = current;
        if (!EDITABLE.has(kase.status)) return { ok: false, reason: 'locked' };
        const v = view(survey, kase);
        if (!v.complete) return { ok: false, reason: 'incomplete', missing: v.missing };
        if (!attest) return { ok: false, reason: 'attest' };
        const now = clock.now();
        const today = todayJst(now);
        const late = today > survey.closes_on;
        const receipt = kase.receipt_number ?? `${survey.id}-${String(kase.id).padStart(6, '0')}`;
        if (!cases.submit({ id: kase.id, now, late, receipt, rules: ruleSetFor(today).effectiveFrom })) return { ok: false, reason: 'locked' };
        const insurer = findInsurerById(db, m.insurerId)!;
        enqueueReceiptMail(db, clock, {
          insurer, to: m.email, memberName: m.memberName, memberId: m.memberId, accountId: m.accountId, surveyTitle: survey.title,
          receiptNumber: receipt, submittedAt: now, late, dependents: v.dependents.map((d) => ({ name: d.name, relationship: d.relationship })),
          baseUrl: deps.baseUrl,
        });
        return { ok: true, receiptNumber: receipt, late };
      });
    },
    /** 提出を取り消す: back to 入力中 until a reviewer opens the case. */
    withdraw(m: SurveyMember): boolean {
      return inTransaction(db, () => {
        const current = currentCase(m);
        return current !== undefined && cases.withdraw(current.kase.id, clock.now());
      });
    },
  };
}

export type SurveyMemberService = ReturnType<typeof createSurveyMemberService>;

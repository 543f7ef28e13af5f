import { inTransaction, type Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import { recordAudit, type AuditAction } from '../../audit/writer.js';
import type { SignedInStaff } from '../../staff/guard.js';
import type { CaseRow } from '../case-queries.js';
import { todayJst } from '../dates.js';
import { DOCUMENT_KINDS } from '../documents/rules.js';
import { createDocumentQueries } from '../documents/queries.js';
import type { DocumentStore } from '../documents/store.js';
import type { SurveyRow } from '../survey-queries.js';
import type { ReviewCaseService } from './case-service.js';
import { enqueueReviewMail, type ReviewMailKind } from './mails.js';
import { createReviewQueries } from './queries.js';
import { ACTIVE_STATUSES, DECISION_LABELS, isDecided, MY_NUMBER_REASON, stateProblem } from './rules.js';

export type ReviewOutcome = { ok: true; message: string } | { ok: false; problem: string } | { ok: false; notFound: true };

interface Actor {
  staff: SignedInStaff;
  clientIp: string;
}

/**
 * What a reviewer does to a case. Each action checks scope and the case's status inside one
 * IMMEDIATE transaction, changes rows only on a conditional UPDATE (so two reviewers at once
 * leave one consistent result), and writes its audit row and any member mail in the same one.
 */
export function createReviewActions(deps: { db: Db; clock: Clock; logger: Logger; store: DocumentStore; baseUrl: string; outbox: { kick(): void }; cases: ReviewCaseService }) {
  const { db, clock } = deps;
  const q = createReviewQueries(db);
  const documents = createDocumentQueries(db);

  /** Runs `work` on a case in scope and in an active status, inside a transaction. */
  function onCase(a: Actor, caseId: number, work: (c: { kase: CaseRow; survey: SurveyRow; memberId: number; now: number }) => ReviewOutcome): ReviewOutcome {
    const outcome = inTransaction(db, (): ReviewOutcome => {
      const found = deps.cases.caseInScope(a.staff, caseId);
      if (!found) return { ok: false, notFound: true };
      if (!ACTIVE_STATUSES.has(found.kase.status)) return { ok: false, problem: stateProblem(found.kase.status) };
      return work({ ...found, memberId: q.caseMember(caseId)!.member_id, now: clock.now() });
    });
    if (outcome.ok) deps.outbox.kick();
    return outcome;
  }

  function audit(a: Actor, action: AuditAction, memberId: number, detail: string, reason?: string | null) {
    recordAudit(db, clock, { staffId: a.staff.id, staffLogin: a.staff.loginId, clientIp: a.clientIp, action, memberId, detail, reason: reason ?? null });
  }

  function mailMember(c: { kase: CaseRow; survey: SurveyRow }, kind: ReviewMailKind, extra: { message?: string; dueDate?: string } = {}) {
    enqueueReviewMail(db, clock, {
      member: q.caseMember(c.kase.id)!, kind, surveyTitle: c.survey.title, receiptNumber: c.kase.receipt_number ?? '', baseUrl: deps.baseUrl, ...extra,
    });
  }

  return {
    acceptDocument(a: Actor, documentId: number): ReviewOutcome {
      const d = documents.byId(documentId);
      if (!d) return { ok: false, notFound: true };
      return onCase(a, d.case_id, (c) => {
        if (!q.decideDocument({ id: d.id, state: 'accepted', reason: null, staffId: a.staff.id, now: c.now })) return { ok: false, problem: 'この書類は確認できません（削除済みです）。' };
        audit(a, 'survey_document_accept', c.memberId, `書類 ${d.id}（${DOCUMENT_KINDS[d.kind]?.name ?? d.kind}）・ケース ${d.case_id}`);
        return { ok: true, message: '書類を確認済みにしました。' };
      });
    },

    async rejectDocument(a: Actor, documentId: number, reason: string): Promise<ReviewOutcome> {
      const d = documents.byId(documentId);
      if (!d) return { ok: false, notFound: true };
      const myNumber = reason === MY_NUMBER_REASON;
      const outcome = onCase(a, d.case_id, (c) => {
        if (!q.decideDocument({ id: d.id, state: 'rejected', reason, staffId: a.staff.id, now: c.now })) return { ok: false, problem: 'この書類は差し戻せません（削除済みです）。' };
        if (myNumber) q.markPurged(d.id, c.now);
        audit(a, 'survey_document_reject', c.memberId, `書類 ${d.id}（${DOCUMENT_KINDS[d.kind]?.name ?? d.kind}）・ケース ${d.case_id}${myNumber ? '・ファイル削除' : ''}`, reason);
        return { ok: true, message: myNumber ? '書類を差し戻し、マイナンバーが写ったファイルを削除しました。' : '書類を差し戻しました。必要に応じて追加書類を依頼してください。' };
      });
      if (outcome.ok && myNumber) {
        // The row already says the file is gone; the file follows at once.
        try {
          await Promise.all([deps.store.delete(d.storage_key), deps.store.delete(`${d.storage_key}.thumb`)]);
        } catch (err) {
          deps.logger.error({ err, documentId: d.id }, 'removing a document with an individual number failed');
        }
      }
      return outcome;
    },

    decide(a: Actor, caseId: number, dependentId: number, f: { decision: 'continue' | 'remove' | 'hold'; removalDate?: string; reason: string; seen: number }): ReviewOutcome {
      return onCase(a, caseId, (c) => {
        const dep = q.dependentOfCase(dependentId, caseId);
        if (!dep) return { ok: false, notFound: true };
        const removalDate = f.decision === 'remove' ? f.removalDate! : null;
        const written = q.decide({ dependentId, decision: f.decision, removalDate, reason: f.reason || null, staffId: a.staff.id, now: c.now, seen: f.seen });
        if (!written) return { ok: false, problem: '他の担当者が先にこの被扶養者の判定を更新しました。画面の内容を確認してから、もう一度判定してください。' };
        audit(a, 'survey_decide', c.memberId, `${dep.name}：${DECISION_LABELS[f.decision]}${removalDate ? `（${removalDate}）` : ''}・ケース ${caseId}`, f.reason || null);
        return { ok: true, message: `${dep.name}さんを「${DECISION_LABELS[f.decision]}」と判定しました。` };
      });
    },

    requestDocuments(a: Actor, caseId: number, f: { message: string; dueDate: string }): ReviewOutcome {
      if (f.dueDate < todayJst(clock.now())) return { ok: false, problem: '提出期限には今日以降の日付を入力してください。' };
      return onCase(a, caseId, (c) => {
        if (!q.moveCase(caseId, [...ACTIVE_STATUSES], 'documents_requested', c.now)) return { ok: false, problem: stateProblem(c.kase.status) };
        q.addRequest({ caseId, kind: 'documents', message: f.message, dueDate: f.dueDate, staffId: a.staff.id, now: c.now });
        mailMember(c, 'documents', f);
        audit(a, 'survey_request_documents', c.memberId, `ケース ${caseId}・期限 ${f.dueDate}`, f.message);
        return { ok: true, message: '追加書類を依頼し、加入者にメールで知らせました。' };
      });
    },

    returnCase(a: Actor, caseId: number, f: { message: string }): ReviewOutcome {
      return onCase(a, caseId, (c) => {
        if (!q.moveCase(caseId, [...ACTIVE_STATUSES], 'returned', c.now)) return { ok: false, problem: stateProblem(c.kase.status) };
        q.addRequest({ caseId, kind: 'return', message: f.message, dueDate: null, staffId: a.staff.id, now: c.now });
        mailMember(c, 'return', f);
        audit(a, 'survey_return', c.memberId, `ケース ${caseId}`, f.message);
        return { ok: true, message: '差し戻しました。加入者は回答を修正して再提出できます。' };
      });
    },

    complete(a: Actor, caseId: number): ReviewOutcome {
      return onCase(a, caseId, (c) => {
        const decisions = new Map(q.decisions(caseId).map((d) => [d.dependent_id, d]));
        const dependents = q.dependentIds(caseId);
        if (!dependents.every((id) => isDecided(decisions.get(id)))) return { ok: false, problem: 'すべての被扶養者を「扶養継続」または「扶養削除」と判定してから完了してください（保留のままでは完了できません）。' };
        if (!q.moveCase(caseId, [...ACTIVE_STATUSES], 'completed', c.now)) return { ok: false, problem: stateProblem(c.kase.status) };
        q.resolveRequests(caseId, c.now);
        mailMember(c, 'completed');
        audit(a, 'survey_complete', c.memberId, `ケース ${caseId}・被扶養者 ${dependents.length}人`);
        return { ok: true, message: '審査を完了し、加入者にメールで知らせました。' };
      });
    },
  };
}

export type ReviewActions = ReturnType<typeof createReviewActions>;

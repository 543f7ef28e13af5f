import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/features/survey/dates.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { answersRow, caseRow, SPOUSE_NO_INCOME, today } from './helpers.js';
import { decisionRow, newStaff, onCase, submittedCase } from './review-helpers.js';
import { documentRows, pdf, storedContent, storedFiles, upload } from './upload-helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe('reviewing a case', () => {
  it('views a document, rejects one, asks for a new one, the member adds it, each dependent is decided and the case completed', async () => {
    const s = await submittedCase(ctx);
    const [spouse, child] = s.dependents as [number, number];
    const reviewer = await newStaff(ctx, 'rev-journey', 'reviewer', [s.insurer.code]);
    const page = await reviewer.agent.get(`/staff/survey/cases/${s.caseId}`);
    const text = visibleText(page.text);
    expect(text).toContain('判定の目安：基準内');
    expect(text).toContain('所得証明書');
    expect(page.text).not.toContain('income.pdf');

    // The PDF, served from the encrypted store with headers that let nothing in it run here.
    let since = ctx.readers.lastAuditId();
    const doc = await reviewer.agent.http.get(`/staff/survey/documents/${s.documents.income}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(doc.status).toBe(200);
    expect(doc.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="document-${s.documents.income}.pdf"`,
      'content-security-policy': "default-src 'none'; sandbox",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    expect((doc.body as Buffer).equals(pdf('income'))).toBe(true);
    expect(ctx.readers.auditRows(since)).toEqual([expect.objectContaining({ action: 'view_survey_document', member_id: s.account.member.id })]);

    // Reject the photo as unreadable, then ask for a new one.
    since = ctx.readers.lastAuditId();
    let res = await onCase(reviewer.agent, s.caseId, `/staff/survey/documents/${s.documents.enrolment}/reject`, { reason: '不鮮明' });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(documentRows(ctx, s.caseId).find((d) => d.id === s.documents.enrolment)?.state).toBe('rejected');
    const due = addDays(today(ctx), 14);
    res = await onCase(reviewer.agent, s.caseId, 'request-documents', { message: '在学証明書をもう一度、はっきり写して提出してください。', dueDate: due });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('documents_requested');
    expect(ctx.readers.auditRows(since).map((r) => [r.action, r.reason])).toEqual([
      ['view_survey_case', null], ['survey_document_reject', '不鮮明'], ['view_survey_case', null],
      ['survey_request_documents', '在学証明書をもう一度、はっきり写して提出してください。'],
    ]);
    await ctx.deliverMail();
    expect(ctx.smtp).toHaveMailed({ to: s.account.email, subject: '追加書類のお願い', text: '在学証明書をもう一度、はっきり写して提出してください。' });

    // The member sees the request on my page and on the survey page, and adds the document.
    const mypage = visibleText((await s.agent.get('/portal/mypage')).text);
    expect(mypage).toContain('健康保険組合からの追加書類のお願い');
    expect(mypage).toContain('書類を追加する');
    expect(visibleText((await s.agent.get('/portal/survey')).text)).toContain('在学証明書をもう一度、はっきり写して提出してください。');
    await s.agent.get('/portal/survey/documents');
    expect((await upload(s.agent, { slot: `${child}:enrolment_certificate`, files: [{ content: pdf('school again'), name: 'school2.pdf' }] })).status).toBe(303);
    const added = documentRows(ctx, s.caseId).at(-1)!;
    res = await onCase(reviewer.agent, s.caseId, `/staff/survey/documents/${added.id}/accept`);
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);

    // Decide each dependent, then complete.
    res = await onCase(reviewer.agent, s.caseId, `dependents/${spouse}/decision`, { decision: 'continue', seen: '0' });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    res = await onCase(reviewer.agent, s.caseId, `dependents/${child}/decision`, { decision: 'remove', removalDate: addDays(today(ctx), 30), reason: '就職のため', seen: '0' });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(decisionRow(ctx, child)).toMatchObject({ decision: 'remove', reason: '就職のため' });
    since = ctx.readers.lastAuditId();
    res = await onCase(reviewer.agent, s.caseId, 'complete');
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('completed');
    expect(ctx.readers.auditRows(since).map((r) => r.action)).toEqual(['view_survey_case', 'survey_complete']);
    await ctx.deliverMail();
    expect(ctx.smtp).toHaveMailed({ to: s.account.email, subject: '審査完了のお知らせ' });

    const card = visibleText((await s.agent.get('/portal/mypage')).text);
    expect(card).toContain('状況：審査完了');
    expect(card).toContain('健保 一郎さん：扶養継続');
    expect(card).toContain('健保 さくらさん：扶養削除');
  });

  it('a document showing a マイナンバー is deleted from the store at once; its row stays', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-mynumber', 'reviewer', [s.insurer.code]);
    const before = documentRows(ctx, s.caseId).find((d) => d.id === s.documents.income)!;
    expect(storedFiles(ctx).some((f) => f.endsWith(before.storage_key))).toBe(true);
    const res = await onCase(reviewer.agent, s.caseId, `/staff/survey/documents/${s.documents.income}/reject`, { reason: 'マイナンバーが写っている' });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(storedFiles(ctx).some((f) => f.includes(before.storage_key))).toBe(false);
    await expect(storedContent(ctx, before.storage_key)).rejects.toThrow();
    const row = ctx.db.prepare('SELECT state, reason, sha256, file_purged_at FROM survey_documents WHERE id = ?').get(s.documents.income) as Record<string, unknown>;
    expect(row).toMatchObject({ state: 'rejected', reason: 'マイナンバーが写っている', sha256: before.sha256 });
    expect(row.file_purged_at).not.toBeNull();
    expect((await reviewer.agent.get(`/staff/survey/documents/${s.documents.income}`)).status).toBe(404);
    expect(visibleText((await reviewer.agent.get(`/staff/survey/cases/${s.caseId}`)).text)).toContain('ファイルは削除済み');
  });

  it('a return makes the answers editable again and the member submits once more', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-return', 'reviewer', [s.insurer.code]);
    const res = await onCase(reviewer.agent, s.caseId, 'return', { message: '配偶者の収入の見込みを確認してください。' });
    expect(res).toRedirectTo(`/staff/survey/cases/${s.caseId}`);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('returned');
    await ctx.deliverMail();
    expect(ctx.smtp).toHaveMailed({ to: s.account.email, subject: '回答の修正のお願い', text: '配偶者の収入の見込みを確認してください。' });
    const spouse = s.dependents[0]!;
    expect(visibleText((await s.agent.get('/portal/survey')).text)).toContain('配偶者の収入の見込みを確認してください。');
    await s.agent.get(`/portal/survey/dependents/${spouse}`);
    expect((await s.agent.post(`/portal/survey/dependents/${spouse}`, { ...SPOUSE_NO_INCOME, incomeOther: '10万' })).status).toBe(303);
    expect(answersRow(ctx, spouse)?.income_other).toBe(100_000);
    await s.agent.get('/portal/survey/confirm');
    expect((await s.agent.post('/portal/survey/submit', { attest: '1' })).status).toBe(303);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('submitted');
  });

  it('completing with a dependent on hold or undecided is refused with a message, audited, nothing changes', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-hold', 'reviewer', [s.insurer.code]);
    await onCase(reviewer.agent, s.caseId, `dependents/${s.dependents[0]}/decision`, { decision: 'hold', reason: '確認中', seen: '0' });
    const since = ctx.readers.lastAuditId();
    const res = await onCase(reviewer.agent, s.caseId, 'complete');
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('保留のままでは完了できません');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('in_review');
    expect(ctx.readers.auditRows(since).map((r) => r.action)).toEqual(['view_survey_case', 'refused', 'view_survey_case']);
  });

  it('an action on a completed or returned case is refused with a Japanese message', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-state', 'reviewer', [s.insurer.code]);
    await onCase(reviewer.agent, s.caseId, 'return', { message: '確認してください。' });
    const res = await onCase(reviewer.agent, s.caseId, `dependents/${s.dependents[0]}/decision`, { decision: 'continue', seen: '0' });
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('差し戻し中のため、加入者が再提出するまでこの操作は行えません。');
    expect(decisionRow(ctx, s.dependents[0]!)).toBeUndefined();
    const again = await onCase(reviewer.agent, s.caseId, 'request-documents', { message: 'x', dueDate: addDays(today(ctx), 3) });
    expect(again.status).toBe(409);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('returned');
  });

  it('a removal without its date or reason gets a message under each field and writes nothing', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-form', 'reviewer', [s.insurer.code]);
    const res = await onCase(reviewer.agent, s.caseId, `dependents/${s.dependents[1]}/decision`, { decision: 'remove', removalDate: '2026-02-30', seen: '0' });
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('削除日は 2026-09-30 の形で正しい日付を入力してください');
    expect(text).toContain('削除の理由を入力してください');
    expect(decisionRow(ctx, s.dependents[1]!)).toBeUndefined();
    const bad = await onCase(reviewer.agent, s.caseId, `/staff/survey/documents/${s.documents.income}/reject`, { reason: '気に入らない' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('差し戻しの理由を選んでください');
  });

  it('two reviewers deciding at once leave one consistent decision', async () => {
    const s = await submittedCase(ctx);
    const a = await newStaff(ctx, 'rev-race-a', 'reviewer', [s.insurer.code]);
    const b = await newStaff(ctx, 'rev-race-b', 'supervisor');
    const dep = s.dependents[0]!;
    await a.agent.get(`/staff/survey/cases/${s.caseId}`);
    await b.agent.get(`/staff/survey/cases/${s.caseId}`);
    const since = ctx.readers.lastAuditId();
    const path = `/staff/survey/cases/${s.caseId}/dependents/${dep}/decision`;
    const [ra, rb] = await Promise.all([
      a.agent.post(path, { decision: 'continue', seen: '0' }),
      b.agent.post(path, { decision: 'remove', removalDate: today(ctx), reason: '就職', seen: '0' }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([303, 409]);
    const loser = ra.status === 409 ? ra : rb;
    expect(visibleText(loser.text)).toContain('他の担当者が先にこの被扶養者の判定を更新しました');
    const row = decisionRow(ctx, dep)!;
    expect(row.decision).toBe(ra.status === 303 ? 'continue' : 'remove');
    expect(ctx.readers.auditRows(since).filter((r) => r.action === 'survey_decide')).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { caseRow } from './helpers.js';
import { newStaff, submittedCase } from './review-helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe('who may open the review', () => {
  it('a reviewer sees the progress and queue of their insurer, and the first view of a case starts its review', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-a', 'reviewer', [s.insurer.code]);
    const page = await reviewer.agent.get('/staff/survey');
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toMatch(/対象 1件・提出 1件（ ?100.0% ?）・期限後の提出 0件/);
    expect(text).toContain('2026-04-01 1');
    expect(page.text).toContain('<svg');
    expect(page.text).toContain(`/staff/survey/cases/${s.caseId}`);

    const since = ctx.readers.lastAuditId();
    const view = await reviewer.agent.get(`/staff/survey/cases/${s.caseId}`);
    expect(view.status).toBe(200);
    expect(visibleText(view.text)).toContain('状況 審査中');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('in_review');
    expect(ctx.readers.auditRows(since)).toEqual([
      expect.objectContaining({ action: 'view_survey_case', staff_login: 'rev-a', member_id: s.account.member.id, detail: expect.stringContaining('審査開始') }),
    ]);
    // The member can no longer withdraw.
    await s.agent.get('/portal/survey');
    expect((await s.agent.post('/portal/survey/withdraw')).status).toBe(409);
  });

  it("a reviewer of another insurer gets 404 for the case, its document and its survey's export, each audited", async () => {
    const s = await submittedCase(ctx);
    const other = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-b', 'reviewer', [other.insurer.code]);
    const since = ctx.readers.lastAuditId();
    expect((await reviewer.agent.get(`/staff/survey/cases/${s.caseId}`)).status).toBe(404);
    expect((await reviewer.agent.get(`/staff/survey/documents/${s.documents.income}`)).status).toBe(404);
    expect((await reviewer.agent.get(`/staff/survey/${s.surveyId}/export.csv`)).status).toBe(404);
    expect((await reviewer.agent.get(`/staff/survey?survey=${s.surveyId}`)).status).toBe(404);
    expect(ctx.readers.auditRows(since).map((r) => r.action)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('submitted');
  });

  it('an operator gets 403 on every review page and document, audited, and the case stays submitted', async () => {
    const s = await submittedCase(ctx);
    const operator = await newStaff(ctx, 'op-a', 'operator', [s.insurer.code]);
    const since = ctx.readers.lastAuditId();
    for (const path of ['/staff/survey', `/staff/survey/cases/${s.caseId}`, `/staff/survey/documents/${s.documents.income}`, `/staff/survey/${s.surveyId}/export.csv`]) {
      const res = await operator.agent.get(path);
      expect(res.status, path).toBe(403);
      expect(visibleText(res.text)).toContain('審査担当とスーパーバイザーのみ');
    }
    expect(ctx.readers.auditRows(since)).toHaveLength(4);
    expect(ctx.readers.auditRows(since).every((r) => r.action === 'refused' && r.detail?.startsWith('403'))).toBe(true);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('submitted');
    // The member page keeps the call center's read-only status of the case.
    const member = await operator.agent.get(`/staff/members/${s.account.member.id}`);
    expect(visibleText(member.text)).toContain('状況 提出済み');
  });

  it("the console's menu offers 資格調査 to reviewers and supervisors, not to operators", async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-menu', 'reviewer', [s.insurer.code]);
    const operator = await newStaff(ctx, 'op-menu', 'operator', [s.insurer.code]);
    expect((await reviewer.agent.get('/staff/')).text).toContain('href="/staff/survey"');
    expect((await operator.agent.get('/staff/')).text).not.toContain('href="/staff/survey"');
  });

  it('a photo is served as the JPEG it was stored as, under a name made of its id', async () => {
    const s = await submittedCase(ctx);
    const reviewer = await newStaff(ctx, 'rev-photo', 'reviewer', [s.insurer.code]);
    const res = await reviewer.agent.http.get(`/staff/survey/documents/${s.documents.enrolment}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-disposition']).toBe(`inline; filename="document-${s.documents.enrolment}.jpg"`);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    // A document the member deleted (or that never finished uploading) is not there.
    ctx.db.prepare(`UPDATE survey_documents SET state = 'deleted' WHERE id = ?`).run(s.documents.enrolment);
    expect((await reviewer.agent.get(`/staff/survey/documents/${s.documents.enrolment}`)).status).toBe(404);
  });

  it('a supervisor sees every insurer', async () => {
    const s = await submittedCase(ctx);
    const supervisor = await newStaff(ctx, 'sup-a', 'supervisor');
    expect((await supervisor.agent.get(`/staff/survey/cases/${s.caseId}`)).status).toBe(200);
    expect((await supervisor.agent.get(`/staff/survey?survey=${s.surveyId}`)).status).toBe(200);
  });
});

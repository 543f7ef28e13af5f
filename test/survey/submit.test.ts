import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/features/survey/dates.js';
import { answersRow, caseRow, memberWithSurvey, today, SPOUSE_NO_INCOME, STUDENT_NO_INCOME, type SurveyMemberSetup } from './helpers.js';
import { pdf, upload } from './upload-helpers.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { latestMail } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

/** Both dependents answered and their documents uploaded: ready to submit. */
async function readyCase(): Promise<SurveyMemberSetup> {
  const s = await memberWithSurvey(ctx);
  const [spouse, child] = s.dependents as [number, number];
  await s.agent.get(`/portal/survey/dependents/${spouse}`);
  expect((await s.agent.post(`/portal/survey/dependents/${spouse}`, SPOUSE_NO_INCOME)).status).toBe(303);
  expect((await s.agent.post(`/portal/survey/dependents/${child}`, STUDENT_NO_INCOME)).status).toBe(303);
  await s.agent.get('/portal/survey/documents');
  expect((await upload(s.agent, { slot: `${spouse}:income_certificate`, files: [{ content: pdf('income'), name: 'income.pdf' }] })).status).toBe(303);
  expect((await upload(s.agent, { slot: `${child}:enrolment_certificate`, files: [{ content: pdf('school'), name: 'school.pdf' }] })).status).toBe(303);
  return s;
}

describe('confirm and submit', () => {
  it('lists what is missing and refuses to submit an incomplete case', async () => {
    const s = await memberWithSurvey(ctx);
    const confirm = await s.agent.get('/portal/survey/confirm');
    expect(visibleText(confirm.text)).toContain('健保 一郎さんの回答');
    const res = await s.agent.post('/portal/survey/submit', { attest: '1' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('まだ回答や書類がそろっていないため、提出できません');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('not_started');
  });

  it('asks for the attestation', async () => {
    const s = await readyCase();
    await s.agent.get('/portal/survey/confirm');
    const res = await s.agent.post('/portal/survey/submit', {});
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('「記載内容に相違ありません」にチェックを入れてください');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('in_progress');
  });

  it('submits: 提出済み, a receipt number, the rules it was submitted under, and a receipt mail', async () => {
    const s = await readyCase();
    const confirm = await s.agent.get('/portal/survey/confirm');
    expect(visibleText(confirm.text)).toContain('income.pdf');
    const res = await s.agent.post('/portal/survey/submit', { attest: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/survey/submitted');
    const row = caseRow(ctx, s.account.member.id, s.surveyId);
    expect(row).toMatchObject({ status: 'submitted', late: 0, rules_effective: '2025-04-01' });
    expect(row.receipt_number).toMatch(/^\d+-\d{6}$/);
    const page = visibleText((await s.agent.get('/portal/survey/submitted')).text);
    expect(page).toContain(row.receipt_number!);
    const mail = await latestMail(ctx, s.account.email, '被扶養者資格調査の提出を受け付けました');
    expect(mail.subject).toContain(`【${s.insurer.name}】`);
    expect(mail.text).toContain(`受付番号：${row.receipt_number}`);
    expect(mail.text).toContain('健保 一郎（配偶者）');
    expect(mail.text).toContain('健保 さくら（子）');
    expect(mail.text).not.toContain('期限後');
    const mypage = await s.agent.get('/portal/mypage');
    expect(visibleText(mypage.text)).toContain('提出済み');
    expect(mypage.text).toContain('>提出内容を見る<');
  });

  it('shows the answers read-only after submitting, and a replayed old form changes nothing', async () => {
    const s = await readyCase();
    const spouse = s.dependents[0]!;
    const oldForm = await s.agent.get(`/portal/survey/dependents/${spouse}`);
    await s.agent.get('/portal/survey/confirm');
    expect((await s.agent.post('/portal/survey/submit', { attest: '1' })).status).toBe(303);
    const readOnly = await s.agent.get(`/portal/survey/dependents/${spouse}`);
    expect(readOnly.text).not.toContain(`action="/portal/survey/dependents/${spouse}"`);
    expect(visibleText(readOnly.text)).toContain('提出済みのため、回答は変更できません');
    // The old page's form, posted again with other answers.
    s.agent.lastPage = oldForm.text;
    const replay = await s.agent.post(`/portal/survey/dependents/${spouse}`, { ...SPOUSE_NO_INCOME, incomeSalary: '3000000' });
    expect(replay.status).toBe(409);
    expect(answersRow(ctx, spouse)).toMatchObject({ income_salary: 0 });
    const again = await s.agent.post('/portal/survey/submit', { attest: '1' });
    expect(again.status).toBe(409);
    // A delete button of the old documents page, replayed: documents stay once submitted.
    const doc = ctx.db.prepare(`SELECT id FROM survey_documents WHERE state = 'received' AND case_id = ?`).pluck().get(caseRow(ctx, s.account.member.id, s.surveyId).id) as number;
    expect((await s.agent.post(`/portal/survey/documents/${doc}/delete`)).status).toBe(409);
    expect(ctx.db.prepare('SELECT state FROM survey_documents WHERE id = ?').pluck().get(doc)).toBe('received');
    // Documents can still be added after submitting.
    await s.agent.get('/portal/survey/documents');
    const added = await upload(s.agent, { slot: `${spouse}:income_certificate`, files: [{ content: pdf('later'), name: 'later.pdf' }] });
    expect(added.status).toBe(303);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('submitted');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('submitted');
  });

  it('withdraws until the review starts, then keeps the receipt number at the next submission', async () => {
    const s = await readyCase();
    await s.agent.get('/portal/survey/confirm');
    await s.agent.post('/portal/survey/submit', { attest: '1' });
    const receipt = caseRow(ctx, s.account.member.id, s.surveyId).receipt_number;
    await s.agent.get('/portal/survey');
    const res = await s.agent.post('/portal/survey/withdraw');
    expect(res.status).toBe(303);
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('in_progress');
    await s.agent.get('/portal/survey/confirm');
    await s.agent.post('/portal/survey/submit', { attest: '1' });
    expect(caseRow(ctx, s.account.member.id, s.surveyId)).toMatchObject({ status: 'submitted', receipt_number: receipt });
    ctx.db.prepare(`UPDATE survey_cases SET status = 'in_review' WHERE member_id = ?`).run(s.account.member.id);
    await s.agent.get('/portal/survey');
    const refused = await s.agent.post('/portal/survey/withdraw');
    expect(refused.status).toBe(409);
    expect(visibleText(refused.text)).toContain('審査が始まっているため、提出は取り消せません');
    expect(caseRow(ctx, s.account.member.id, s.surveyId).status).toBe('in_review');
  });

  it('accepts a late submission and marks it 期限後', async () => {
    const s = await readyCase();
    // The deadline passed yesterday (the survey is no longer open; the case still is).
    ctx.db.prepare('UPDATE surveys SET closes_on = ? WHERE id = ?').run(addDays(today(ctx), -1), s.surveyId);
    const overview = visibleText((await s.agent.get('/portal/survey')).text);
    expect(overview).toContain('期限後の提出の取り扱いは健康保険組合が判断します');
    await s.agent.get('/portal/survey/confirm');
    expect((await s.agent.post('/portal/survey/submit', { attest: '1' })).status).toBe(303);
    expect(caseRow(ctx, s.account.member.id, s.surveyId)).toMatchObject({ status: 'submitted', late: 1 });
    const mail = await latestMail(ctx, s.account.email, '被扶養者資格調査の提出を受け付けました');
    expect(mail.text).toContain('期限後の提出');
  });

  it("cannot submit or withdraw another member's case: each acts on the session's own case only", async () => {
    const a = await readyCase();
    const b = await memberWithSurvey(ctx);
    await a.agent.get('/portal/survey/confirm');
    await a.agent.post('/portal/survey/submit', { attest: '1' });
    expect(caseRow(ctx, b.account.member.id, b.surveyId).status).toBe('not_started');
    await b.agent.get('/portal/survey');
    expect((await b.agent.post('/portal/survey/withdraw')).status).toBe(409);
    expect(caseRow(ctx, a.account.member.id, a.surveyId).status).toBe('submitted');
  });
});

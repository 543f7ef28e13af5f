import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersRow, caseRow, createSurvey, memberWithSurvey, SPOUSE_NO_INCOME } from './helpers.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer, publishTerms } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe('the questionnaire of one dependent', () => {
  it('my page shows the survey card with the deadline, the days left and the next step', async () => {
    const { agent } = await memberWithSurvey(ctx);
    const page = await agent.get('/portal/mypage');
    const text = visibleText(page.text);
    expect(text).toContain('2026年度 被扶養者資格調査');
    expect(text).toMatch(/提出期限：\d+月\d+日（.）まで・あと20日/);
    expect(text).toContain('未着手');
    expect(page.text).toContain('>回答をはじめる<');
  });

  it('shows each dependent with name, relationship and birthdate, not asked', async () => {
    const { agent, dependents } = await memberWithSurvey(ctx);
    const overview = visibleText((await agent.get('/portal/survey')).text);
    expect(overview).toContain('健保 一郎さん（配偶者・1983年6月10日生）');
    expect(overview).toContain('未回答');
    const form = await agent.get(`/portal/survey/dependents/${dependents[0]}`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('name="name"');
    expect(visibleText(form.text)).toContain('1983年6月10日');
  });

  it('saves a complete answer, folds amounts and ignores the sections that do not apply', async () => {
    const { agent, dependents, account, surveyId } = await memberWithSurvey(ctx);
    await agent.get(`/portal/survey/dependents/${dependents[0]}`);
    const res = await agent.post(`/portal/survey/dependents/${dependents[0]}`, {
      ...SPOUSE_NO_INCOME, incomeSalary: '１２０万', incomeOther: '1,200', removalDate: '2026-05-01', removalReason: 'job', apartReason: 'study',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/survey?done=saved');
    const row = answersRow(ctx, dependents[0]!)!;
    expect(row).toMatchObject({ continuation: 'continue', income_salary: 1_200_000, income_other: 1200, removal_date: null, removal_reason: null, apart_reason: null, complete: 1 });
    expect(caseRow(ctx, account.member.id, surveyId).status).toBe('in_progress');
  });

  it('a removal asks only its date and reason', async () => {
    const { agent, dependents } = await memberWithSurvey(ctx);
    await agent.get(`/portal/survey/dependents/${dependents[1]}`);
    const res = await agent.post(`/portal/survey/dependents/${dependents[1]}`, { continuation: 'remove', removalDate: '2026/5/1', removalReason: 'job', occupation: 'bogus' });
    expect(res.status).toBe(303);
    expect(answersRow(ctx, dependents[1]!)).toMatchObject({ continuation: 'remove', removal_date: '2026-05-01', removal_reason: 'job', occupation: null, complete: 1 });
  });

  it('puts a Japanese message under each wrong or missing field and keeps what was valid', async () => {
    const { agent, dependents } = await memberWithSurvey(ctx);
    await agent.get(`/portal/survey/dependents/${dependents[0]}`);
    const res = await agent.post(`/portal/survey/dependents/${dependents[0]}`, {
      continuation: 'continue', residence: 'apart', monthlySupport: 'たくさん', livesInJapan: 'maybe', occupation: 'none', incomeSalary: '-5',
    });
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('別居の理由を選択してください');
    expect(text).toContain('仕送り月額（円）は金額を数字で入力してください');
    expect(text).toContain('日本国内に住んでいますかを選択肢から選んでください');
    expect(text).toContain('給与収入（円）は金額を数字で入力してください');
    expect(text).toContain('年金収入（円）を入力してください');
    expect(res.text).toContain('value="たくさん"');
    expect(answersRow(ctx, dependents[0]!)).toMatchObject({ continuation: 'continue', residence: 'apart', occupation: 'none', monthly_support: null, complete: 0 });
  });

  it("answers 404 for another member's dependent, to look at or to post", async () => {
    const a = await memberWithSurvey(ctx);
    const b = await memberWithSurvey(ctx);
    expect((await a.agent.get(`/portal/survey/dependents/${b.dependents[0]}`)).status).toBe(404);
    await a.agent.get('/portal/survey');
    expect((await a.agent.post(`/portal/survey/dependents/${b.dependents[0]}`, SPOUSE_NO_INCOME)).status).toBe(404);
    expect(answersRow(ctx, b.dependents[0]!)).toBeUndefined();
    expect((await a.agent.get('/portal/survey/dependents/abc')).status).toBe(404);
  });

  it('a member of the insurer without a case reads that this year\'s survey does not concern them', async () => {
    const s = await memberWithSurvey(ctx);
    const other = await makeAccount(ctx.db, ctx.clock, { insurer: s.insurer });
    acceptLatestTerms(ctx.db, ctx.clock, other);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, other.loginId, other.password);
    const text = visibleText((await agent.get('/portal/mypage')).text);
    expect(text).toContain('今年度の被扶養者資格調査は、あなたの世帯は対象ではありません');
    expect(visibleText((await agent.get('/portal/survey')).text)).toContain('現在、ご回答いただく調査はありません');
  });

  it('a survey whose first day has not come stays off my page, even with targets imported', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    publishTerms(ctx.db, ctx.clock, insurer);
    const surveyId = await createSurvey(ctx, insurer, 40, 3);
    const s = await memberWithSurvey(ctx, { insurer, surveyId });
    const mypage = visibleText((await s.agent.get('/portal/mypage')).text);
    expect(mypage).not.toContain('被扶養者資格調査');
    expect((await s.agent.get(`/portal/survey/dependents/${s.dependents[0]}`)).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberWithSurvey, STUDENT_NO_INCOME } from './helpers.js';
import { documentRows, phoneJpeg, upload } from './upload-helpers.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { newSignedInStaff } from '../support/staff-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe("the call center's member page", () => {
  it('shows the case status, deadline, dependents and which documents arrived, never their content', async () => {
    const s = await memberWithSurvey(ctx);
    const child = s.dependents[1]!;
    await s.agent.get(`/portal/survey/dependents/${child}`);
    await s.agent.post(`/portal/survey/dependents/${child}`, STUDENT_NO_INCOME);
    await s.agent.get('/portal/survey/documents');
    await upload(s.agent, { slot: `${child}:enrolment_certificate`, files: [{ content: await phoneJpeg(), name: 'secret-name.jpg' }] });
    const [doc] = documentRows(ctx);
    const operator = await newSignedInStaff(ctx, 'op-survey', 'operator');
    const res = await operator.agent.get(`/staff/members/${s.account.member.id}`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('被扶養者資格調査');
    expect(text).toContain('状況 入力中');
    expect(text).toMatch(/提出期限 \d+月\d+日（.）（あと20日）/);
    expect(text).toContain('健保 一郎（ケンポ イチロウ） 配偶者 1983年6月10日 未回答');
    expect(text).toContain('健保 さくら（ケンポ サクラ） 子 2005年9月1日 回答済み');
    expect(text).toContain('健保 さくら 在学証明書（発行から3か月以内）');
    expect(text).toContain('受付済み');
    expect(res.text).not.toContain('secret-name');
    expect(res.text).not.toContain(doc!.storage_key);
    expect(res.text).not.toContain('/thumbnail');
  });
});

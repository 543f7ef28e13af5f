import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, latestCode, reachCodeStep } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: ReturnType<typeof makeInsurer>;
beforeAll(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { name: 'コード健康保険組合', call_center_phone: '0120-333-444', call_center_hours: '平日 9:00〜17:00' });
});
afterAll(() => ctx.close());

// visibleText puts a space where the tel: link ends.
const CALL_CENTER = 'コード健康保険組合のコールセンター（TEL 0120-333-444 、受付時間：平日 9:00〜17:00）へご連絡ください';

describe('a member whose address the society pre-registered', () => {
  it('is told on step 2 and on the code page whom to call when that address cannot receive mail', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer, { email: 'old.address@example.co.jp' });
    const agent = new TestAgent(ctx.app);
    await agent.submit('/portal/signup', identityFields(insurer, member));
    const account = await agent.get('/portal/signup/account');
    expect(visibleText(account.text)).toContain('このメールアドレスでメールを受け取れない場合');
    expect(visibleText(account.text)).toContain(CALL_CENTER);
    expect(account.text).toContain('href="tel:0120333444"');

    const step2 = await agent.post('/portal/signup/account', { loginId: 'preset-01', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD });
    expect(step2.headers.location).toBe('/portal/signup/verify');
    const verify = await agent.get('/portal/signup/verify');
    const text = visibleText(verify.text);
    expect(text).toMatch(/o\*+@example\.co\.jp/); // masked: the member did not type it
    expect(text).not.toContain('old.address@example.co.jp');
    expect(text).toContain(CALL_CENTER);
    expect(verify.text).toContain('href="tel:0120333444"');
    // Going back to step 2 cannot change a pre-registered address: no link that suggests it.
    expect(text).not.toContain('メールアドレスを入力し直す');
  });
});

describe('the code page of an address the member typed', () => {
  it('shows the address whole, offers to type it again, and takes a code pasted with a space', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, member, { loginId: 'typed-01', email: 'typed.address@example.jp' });
    const verify = await agent.get('/portal/signup/verify');
    const text = visibleText(verify.text);
    expect(text).toContain('typed.address@example.jp に6桁の認証コードを送信しました');
    expect(text).toContain('メールアドレスを入力し直す');
    expect(text).not.toContain(CALL_CENTER);
    const input = /<input[^>]*name="code"[^>]*>/.exec(verify.text)![0];
    expect(Number(/maxlength="(\d+)"/.exec(input)![1])).toBeGreaterThanOrEqual(13); // "８０１ ６９８" with spaces and more
    expect(input).toContain('inputmode="numeric"');
    expect(verify.text).toMatch(/<button type="submit" class="button button--block">認証<\/button>/);

    const code = await latestCode(ctx, 'typed.address@example.jp');
    const done = await agent.post('/portal/signup/verify', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(done.headers.location).toBe('/portal/signup/done');
  });
});

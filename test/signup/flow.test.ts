import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/lib/passwords.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, latestCode, latestMail, reachCodeStep, submitIdentity } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('signup, from the identity check to the completion page', () => {
  it('creates the account only once the mailed code is entered, and mails the completion', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { name: 'U-NEXT HOLDINGS健康保険組合', call_center_phone: '0120-000-123' });
    const member = makeMember(ctx.db, ctx.clock, insurer, { name: '健保 祥子', nameKana: 'ケンポ ショウコ' });
    const agent = new TestAgent(ctx.app);

    // Step 1 with a lenient spelling of the name and a full-width, zero-padded number.
    const step1 = await submitIdentity(agent, identityFields(insurer, member, {
      insurerCode: insurer.code.toUpperCase(),
      number: `００${member.number}`,
      nameKana: 'けんほ　しよこう'.replace('しよこう', 'しようこ'),
    }));
    expect(step1).toRedirectTo('/portal/signup/account');

    const page2 = await agent.get('/portal/signup/account');
    const text2 = visibleText(page2.text);
    expect(text2).toContain('健保 祥子 様の本人確認ができました');
    expect(text2).toContain('現在のステップ： 2 ID・パスワード設定');
    expect(text2).toContain('U-NEXT HOLDINGS健康保険組合'); // the layout now shows the member's society

    const step2 = await agent.post('/portal/signup/account', {
      loginId: 'Shoko.K2026', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD,
      email: 'shoko@example.co.jp', emailConfirm: 'shoko@example.co.jp',
    });
    expect(step2).toRedirectTo('/portal/signup/verify');
    expect(ctx.readers.count('accounts')).toBe(0);
    const reg = ctx.readers.registrationOf(member.id)!;
    expect(reg.login_id).toBe('Shoko.K2026');
    expect(reg.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/); // 19 MiB, t=2, p=1
    expect(reg.password_hash).not.toContain(GOOD_PASSWORD);
    expect(await verifyPassword(reg.password_hash, GOOD_PASSWORD)).toBe(true);
    expect(reg.completed_at).toBeNull();

    const page3 = await agent.get('/portal/signup/verify');
    const text3 = visibleText(page3.text);
    expect(text3).toContain('shoko@example.co.jp に6桁の認証コードを送信しました'); // typed: shown whole
    expect(text3).toContain('09:10まで有効'); // TestClock starts at 09:00 Japan time
    expect(page3.text).toMatch(/<input[^>]*id="code"[^>]*>/);
    const codeInput = /<input[^>]*id="code"[^>]*>/.exec(page3.text)![0];
    expect(codeInput).toContain('inputmode="numeric"');
    expect(codeInput).toContain('autocomplete="one-time-code"');
    expect(codeInput).toContain('maxlength="20"') // room for a code pasted with spaces ("801 698");

    const mail = await latestMail(ctx, 'shoko@example.co.jp', '認証コードのお知らせ');
    expect(mail.subject).toBe('【U-NEXT HOLDINGS健康保険組合】認証コードのお知らせ');
    expect(mail.text).toContain('健保 祥子 様');
    expect(mail.text).toContain('09:10まで有効');
    expect(mail.text).toContain('0120-000-123');
    expect(mail.html).toContain('09:10まで有効');
    const code = await latestCode(ctx, 'shoko@example.co.jp');
    expect(mail.html).toContain(code);
    const stored = ctx.readers.codesOf(member.id)[0]!.code_hash;
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(code);

    // Full-width digits with a space in the middle are folded.
    const fullWidth = code.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const step3 = await agent.post('/portal/signup/verify', { code: `${fullWidth.slice(0, 3)} ${fullWidth.slice(3)}` });
    expect(step3).toRedirectTo('/portal/signup/done');

    const done = await agent.get('/portal/signup/done');
    const text4 = visibleText(done.text);
    expect(text4).toContain('登録が完了しました');
    expect(text4).toContain('現在のステップ： 4 完了');
    expect(text4).toContain('Shoko.K2026');
    expect(done.text).toContain('href="/portal/"');

    const account = ctx.readers.accountsOf(member.id)[0];
    expect(account).toMatchObject({ login_id: 'Shoko.K2026', email: 'shoko@example.co.jp', status: 'active', password_hash: reg.password_hash });
    expect(ctx.readers.registrationOf(member.id)?.completed_at).not.toBeNull();
    expect(ctx.readers.codesOf(member.id)[0]?.consumed_at).not.toBeNull();

    const doneMail = await latestMail(ctx, 'shoko@example.co.jp', '登録完了のお知らせ');
    expect(doneMail.subject).toBe('【U-NEXT HOLDINGS健康保険組合】登録完了のお知らせ');
    expect(doneMail.text).toContain('ユーザーID：Shoko.K2026');
    expect(doneMail.text).toContain('http://127.0.0.1/portal/');
    expect(doneMail.text).toContain('0120-000-123');
    expect(doneMail.text).not.toContain(GOOD_PASSWORD);
    expect(doneMail.html).toContain('Shoko.K2026');

    // The code mail's bodies were erased once delivered; the completion mail keeps them.
    const bodies = ctx.db.prepare('SELECT kind, text_body FROM outbox WHERE member_id = ? ORDER BY id').all(member.id) as { kind: string; text_body: string | null }[];
    expect(bodies.map((b) => b.kind)).toEqual(['signup_code', 'signup_done']);
    expect(bodies[0]!.text_body).toBeNull();

    // The signup state is gone: steps 2 and 3 now lead to the completion page, not into the flow.
    for (const path of ['/portal/signup/account', '/portal/signup/verify']) {
      const again = await agent.get(path);
      expect(again).toRedirectTo('/portal/signup/done');
    }

    // Neither the password nor the code ever reached a log line.
    const logs = ctx.logs.join('\n');
    expect(logs).not.toContain(GOOD_PASSWORD);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(reg.password_hash as string);
  });

  it('uses the pre-registered address, shown masked as text with the reason it cannot be changed', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer, { email: 'taro.hoken@example.com', name: '保険 太郎', nameKana: 'ホケン タロウ' });
    const agent = new TestAgent(ctx.app);
    await submitIdentity(agent, identityFields(insurer, member));
    const page = await agent.get('/portal/signup/account');
    const text = visibleText(page.text);
    expect(text).toContain('t****@example.com');
    expect(text).toContain('この画面では変更できません');
    expect(page.text).not.toContain('taro.hoken@example.com');
    expect(page.text).not.toMatch(/name="email"/);

    // An address posted anyway is ignored.
    await reachCodeStep(agent, insurer, member, { loginId: 'taro-hoken', email: 'attacker@example.net' });
    expect(ctx.readers.registrationOf(member.id)?.email).toBe('taro.hoken@example.com');
    const code = await latestCode(ctx, 'taro.hoken@example.com');
    expect(ctx.smtp).not.toHaveMailed({ to: 'attacker@example.net' });
    const res = await agent.submit('/portal/signup/verify', { code });
    expect(res.headers.location).toBe('/portal/signup/done');
    expect(ctx.readers.accountsOf(member.id)[0]?.email).toBe('taro.hoken@example.com');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { DEMO_INSURER, DEMO_MEMBER, seedDemo } from '../../src/demo/seed.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { cli, createTestContext, type TestContext } from '../support/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  seedDemo(ctx);
});
afterAll(() => ctx.close());

const identity = {
  insurerCode: DEMO_INSURER.code, symbol: DEMO_MEMBER.symbol, number: DEMO_MEMBER.number,
  birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: DEMO_MEMBER.nameKana,
};

async function mailTo(to: string, subject: string, after: number) {
  await ctx.deliverMail();
  return ctx.smtp.waitForMail((m) => ctx.smtp.mails.indexOf(m) >= after && m.to === to && m.subject.includes(subject));
}

describe('the demo member’s year', () => {
  it('signs up, logs in, accepts the terms, sees my page, logs out, recovers password and ID, and is told to register again after the reset', async () => {
    const email = 'shoko.kenpo@example.jp';
    const agent = new TestAgent(ctx.app);
    expect((await agent.submit('/portal/signup', identity)).headers.location).toBe('/portal/signup/account');
    let mark = ctx.smtp.mails.length;
    const account = await agent.submit('/portal/signup/account', {
      loginId: 'shoko2026', password: 'Kenpo#Shoko85', passwordConfirm: 'Kenpo#Shoko85', email, emailConfirm: email,
    });
    expect(account.headers.location).toBe('/portal/signup/verify');
    const code = /(\d{6})/.exec((await mailTo(email, '認証コード', mark)).text)![1]!;
    expect((await agent.submit('/portal/signup/verify', { code })).status).toBe(303);

    // Log in: the demo terms come first, then my page with the demo notice.
    await agent.get('/portal/');
    expect((await agent.post('/portal/login', { loginId: 'SHOKO2026', password: 'Kenpo#Shoko85' })).headers.location).toBe('/portal/mypage');
    expect((await agent.get('/portal/mypage')).headers.location).toBe('/portal/terms');
    const terms = await agent.get('/portal/terms');
    expect(visibleText(terms.text)).toContain('加入者ポータル利用規約');
    const version = /name="version" value="(\d+)"/.exec(terms.text)![1]!;
    expect((await agent.post('/portal/terms', { agree: '1', version })).headers.location).toBe('/portal/mypage');
    const mypage = visibleText((await agent.get('/portal/mypage')).text);
    expect(mypage).toContain(`${DEMO_MEMBER.name} 様`);
    expect(mypage).toContain('年度替わりのユーザーID・パスワードのリセットについて');
    expect((await agent.post('/portal/logout')).headers.location).toBe('/portal/?loggedOut=1');

    // Forgotten password: the link from the mail sets a new one.
    mark = ctx.smtp.mails.length;
    await agent.submit('/portal/password/forgot', { loginId: 'shoko2026' });
    const link = /http:\/\/127\.0\.0\.1(\/portal\/password\/reset\/\S+)/.exec((await mailTo(email, 'パスワード再設定のご案内', mark)).text)![1]!;
    await agent.get(link);
    expect(visibleText((await agent.post(link, { newPassword: 'Kenpo#Renew85', newPasswordConfirm: 'Kenpo#Renew85' })).text)).toContain('パスワードを再設定しました');

    // Forgotten ID: it arrives at the registered address.
    mark = ctx.smtp.mails.length;
    await agent.submit('/portal/userid/forgot', identity);
    expect((await mailTo(email, 'ユーザーIDのお知らせ', mark)).text).toContain('ユーザーID：shoko2026');

    await agent.get('/portal/');
    expect((await agent.post('/portal/login', { loginId: 'shoko2026', password: 'Kenpo#Renew85' })).headers.location).toBe('/portal/mypage');

    // New year: the reset closes the account and the member is asked to register again.
    ctx.clock.advance(31 * MINUTE);
    expect((await cli(ctx, ['reset-accounts', '--insurer', DEMO_INSURER.code])).out).toContain('closed 1 active account');
    const again = new TestAgent(ctx.app);
    await again.get('/portal/');
    const told = await again.post('/portal/login', { loginId: 'shoko2026', password: 'Kenpo#Renew85' });
    expect(visibleText(told.text)).toContain('昨年度のユーザーID・パスワードは、年度替わりにリセットされています');
    expect((await again.submit('/portal/signup', identity)).headers.location).toBe('/portal/signup/account');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/lib/clock.js';
import { verifyPassword } from '../../src/lib/passwords.js';
import { formatDateTime } from '../../src/lib/time.js';
import { createNoticeService } from '../../src/features/notices/service.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer, makeMember, type TestAccount } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function signedIn(o: Parameters<typeof makeAccount>[2] = {}): Promise<{ agent: TestAgent; account: TestAccount }> {
  const account = await makeAccount(ctx.db, ctx.clock, o);
  acceptLatestTerms(ctx.db, ctx.clock, account);
  const agent = new TestAgent(ctx.app);
  expect((await logIn(agent, account.loginId, account.password)).status).toBe(303);
  return { agent, account };
}

const sessionsOf = (accountId: number) => ctx.readers.sessionCount(accountId);

describe('my page', () => {
  it('greets the member by name with the society, its current notices, login times and their own address whole', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { name: 'マイページ健康保険組合' });
    const member = makeMember(ctx.db, ctx.clock, insurer, { name: '健保 花子' });
    const notices = createNoticeService(ctx);
    const other = makeInsurer(ctx.db, ctx.clock);
    notices.add({ insurerId: insurer.id, title: '健診のご案内', body: '今年度の健診の\n受付を始めました。', untilDate: null });
    notices.add({ insurerId: insurer.id, title: '終わったお知らせ', body: '昨日まで', untilDate: '2026-03-31' });
    notices.add({ insurerId: insurer.id, title: '今日までのお知らせ', body: '本日まで', untilDate: '2026-04-01' });
    notices.add({ insurerId: other.id, title: 'よその組合のお知らせ', body: 'x', untilDate: null });
    const account = await makeAccount(ctx.db, ctx.clock, { insurer, member, email: 'hanako.kenpo@example.co.jp' });
    acceptLatestTerms(ctx.db, ctx.clock, account);

    const firstAt = ctx.clock.now();
    await logIn(new TestAgent(ctx.app), account.loginId, account.password);
    ctx.clock.advance(2 * HOUR);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    const res = await agent.get('/portal/mypage');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('健保 花子 様');
    expect(text).toContain('マイページ健康保険組合');
    expect(text).toContain('健診のご案内');
    expect(text).toContain('今日までのお知らせ');
    expect(text).not.toContain('終わったお知らせ');
    expect(text).not.toContain('よその組合のお知らせ');
    expect(text.indexOf('今日までのお知らせ')).toBeLessThan(text.indexOf('健診のご案内')); // newest first
    expect(text).toContain(`今回のログイン ${formatDateTime(ctx.clock.now())}`);
    expect(text).toContain(`前回のログイン ${formatDateTime(firstAt)}`);
    expect(text).toContain('メールアドレス hanako.kenpo@example.co.jp'); // their own: shown whole
    expect(res.text).toContain('href="/portal/mypage/password"');
    expect(res.text).toContain('href="/portal/mypage/email"');
    expect(res.text).toMatch(/<form method="post" action="\/portal\/logout"/);
  });

  it('says so on the first login, when there is no previous one', async () => {
    const { agent } = await signedIn();
    expect(visibleText((await agent.get('/portal/mypage')).text)).toContain('今回がはじめてのログインです');
  });

  it('stops showing a notice after its last day (Japan time)', async () => {
    const { account } = await signedIn();
    createNoticeService(ctx).add({ insurerId: account.insurer.id, title: '期間限定', body: 'x', untilDate: '2026-04-01' });
    const myPageAt = async (iso: string) => {
      ctx.clock.set(Date.parse(iso));
      const agent = new TestAgent(ctx.app);
      await logIn(agent, account.loginId, account.password);
      return visibleText((await agent.get('/portal/mypage')).text);
    };
    expect(await myPageAt('2026-04-01T23:59:00+09:00')).toContain('期間限定');
    expect(await myPageAt('2026-04-02T00:00:00+09:00')).not.toContain('期間限定');
    ctx.clock.set(Date.parse('2026-04-01T09:00:00+09:00'));
  });
});

describe('change password', () => {
  it('changes it, mails the old address, ends the other sessions and keeps this one', async () => {
    const { agent, account } = await signedIn();
    const other = new TestAgent(ctx.app);
    await logIn(other, account.loginId, account.password);
    expect(sessionsOf(account.id)).toBe(2);

    await agent.get('/portal/mypage/password');
    const res = await agent.post('/portal/mypage/password', {
      currentPassword: account.password, newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass42',
    });
    expect(res).toRedirectTo('/portal/mypage?done=password');
    expect(visibleText((await agent.get('/portal/mypage?done=password')).text)).toContain('パスワードを変更しました');
    expect(await verifyPassword(ctx.readers.account(account.id).password_hash, 'Fresh#Pass42')).toBe(true);
    expect(sessionsOf(account.id)).toBe(1);
    expect((await other.get('/portal/mypage')).status).toBe(303);

    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([
      expect.objectContaining({ kind: 'password_changed', to_address: account.email, member_id: account.member.id, account_id: account.id }),
    ]);
    await ctx.deliverMail();
    const mail = await ctx.smtp.waitForMail((m) => m.to === account.email && m.subject.includes('パスワード変更のお知らせ'));
    expect(mail.subject).toBe(`【${account.insurer.name}】パスワード変更のお知らせ`);
    expect(mail.text).toContain(account.loginId);
    expect(mail.text).not.toContain('Fresh#Pass42');

    expect((await logIn(new TestAgent(ctx.app), account.loginId, 'Fresh#Pass42')).status).toBe(303);
  });

  it('refuses a wrong current password, counting it like a failed login', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage/password');
    const res = await agent.post('/portal/mypage/password', {
      currentPassword: 'Wrong#pass1', newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass42',
    });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('現在のパスワードが正しくありません');
    expect(ctx.readers.account(account.id).failed_logins).toBe(1);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([]);
  });

  it('locks the account after five wrong current passwords in a row', async () => {
    const { agent, account } = await signedIn();
    let res;
    for (let i = 1; i <= 5; i++) {
      await agent.get('/portal/mypage/password');
      res = await agent.post('/portal/mypage/password', { currentPassword: `Wrong#pass${i}`, newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass42' });
    }
    expect(res!.status).toBe(429);
    expect(visibleText(res!.text)).toContain('パスワードを5回続けて間違えたため');
    expect(ctx.readers.account(account.id).locked_until).not.toBeNull();
    await agent.get('/portal/mypage/password');
    const locked = await agent.post('/portal/mypage/password', { currentPassword: account.password, newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass42' });
    expect(locked.status).toBe(429);
    expect(await verifyPassword(ctx.readers.account(account.id).password_hash, account.password)).toBe(true);
  });

  it('names every rule a new password breaks, and a confirmation that differs', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage/password');
    const weak = await agent.post('/portal/mypage/password', { currentPassword: account.password, newPassword: 'abc', newPasswordConfirm: 'abc' });
    expect(weak.status).toBe(400);
    const text = visibleText(weak.text);
    expect(text).toContain('8文字以上20文字以内');
    expect(text).toContain('数字を1文字以上');
    expect(text).toContain('記号');
    await agent.get('/portal/mypage/password');
    const differs = await agent.post('/portal/mypage/password', { currentPassword: account.password, newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass43' });
    expect(visibleText(differs.text)).toContain('一致しません');
    await agent.get('/portal/mypage/password');
    const same = await agent.post('/portal/mypage/password', { currentPassword: account.password, newPassword: account.password, newPasswordConfirm: account.password });
    expect(visibleText(same.text)).toContain('現在のパスワードと異なるもの');
    expect(same.text).not.toContain(account.password);
    expect(ctx.readers.account(account.id).failed_logins).toBe(0);
  });

  it('refuses a change without the CSRF token (403) and changes nothing', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage/password');
    const res = await agent.post('/portal/mypage/password', {
      currentPassword: account.password, newPassword: 'Fresh#Pass42', newPasswordConfirm: 'Fresh#Pass42', _csrf: 'forged',
    });
    expect(res.status).toBe(403);
    expect(await verifyPassword(ctx.readers.account(account.id).password_hash, account.password)).toBe(true);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([]);
  });

  it('answers malformed posts with 400', async () => {
    const { agent } = await signedIn();
    await agent.get('/portal/mypage/password');
    expect((await agent.post('/portal/mypage/password', { currentPassword: ['a', 'b'] })).status).toBe(400);
  });

  it('is behind login', async () => {
    const res = await new TestAgent(ctx.app).get('/portal/mypage/password');
    expect(res.headers.location).toBe('/portal/?next=%2Fportal%2Fmypage%2Fpassword');
  });
});

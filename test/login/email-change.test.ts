import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/lib/clock.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, type TestAccount } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function signedIn(): Promise<{ agent: TestAgent; account: TestAccount }> {
  const account = await makeAccount(ctx.db, ctx.clock, { email: `old${Math.random().toString(36).slice(2, 8)}@example.jp` });
  acceptLatestTerms(ctx.db, ctx.clock, account);
  const agent = new TestAgent(ctx.app);
  expect((await logIn(agent, account.loginId, account.password)).status).toBe(303);
  return { agent, account };
}

/** Submits the new address and reads the code from the mail that reached it. */
async function requestCode(agent: TestAgent, account: TestAccount, email: string): Promise<string> {
  const before = ctx.smtp.mails.length;
  const res = await agent.submit('/portal/mypage/email', { currentPassword: account.password, email, emailConfirm: email });
  expect(res).toRedirectTo('/portal/mypage/email/verify');
  await ctx.deliverMail();
  const mail = await ctx.smtp.waitForMail((m) => ctx.smtp.mails.indexOf(m) >= before && m.to === email);
  return /認証コード：(\d{6})/.exec(mail.text)![1]!;
}

const codesOf = (accountId: number) =>
  ctx.db.prepare("SELECT email, consumed_at, voided_at FROM email_codes WHERE purpose = 'email_change' AND account_id = ? ORDER BY id").all(accountId) as {
    email: string; consumed_at: number | null; voided_at: number | null;
  }[];

describe('change e-mail', () => {
  it('asks the current password first: a wrong one sends no code, counts as a failed login, and five lock the account', async () => {
    const { agent, account } = await signedIn();
    const missing = await agent.submit('/portal/mypage/email', { email: 'thief@example.co.jp', emailConfirm: 'thief@example.co.jp' });
    expect(missing.status).toBe(400);
    expect(visibleText(missing.text)).toContain('現在のパスワードを入力してください');
    for (let i = 1; i <= 4; i++) {
      const res = await agent.submit('/portal/mypage/email', { currentPassword: `Wrong#pass${i}`, email: 'thief@example.co.jp', emailConfirm: 'thief@example.co.jp' });
      expect(res.status).toBe(400);
      expect(visibleText(res.text)).toContain('現在のパスワードが正しくありません');
      expect(ctx.readers.account(account.id).failed_logins).toBe(i);
    }
    const fifth = await agent.submit('/portal/mypage/email', { currentPassword: 'Wrong#pass5', email: 'thief@example.co.jp', emailConfirm: 'thief@example.co.jp' });
    expect(fifth.status).toBe(429);
    expect(visibleText(fifth.text)).toContain('パスワードを5回続けて間違えたため');
    expect(ctx.readers.account(account.id).locked_until).toBe(ctx.clock.now() + 15 * MINUTE);
    // Locked: even the right password moves nothing now.
    const locked = await agent.submit('/portal/mypage/email', { currentPassword: account.password, email: 'thief@example.co.jp', emailConfirm: 'thief@example.co.jp' });
    expect(locked.status).toBe(429);
    expect(codesOf(account.id)).toEqual([]);
    expect(ctx.db.prepare("SELECT count(*) FROM attempts WHERE account_id = ? AND kind = 'login' AND success = 0").pluck().get(account.id)).toBe(5);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === 'thief@example.co.jp')).toEqual([]);
    expect(ctx.readers.account(account.id).email).toBe(account.email);
  });

  it('sends a code to the new address, changes it on the right code, and tells the old address', async () => {
    const { agent, account } = await signedIn();
    const form = await agent.get('/portal/mypage/email');
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain(`${account.email[0]}****@example.jp`);
    expect(form.text).toContain('autocomplete="email"');

    const code = await requestCode(agent, account, 'new.address@example.co.jp');
    const mail = ctx.smtp.mails.find((m) => m.to === 'new.address@example.co.jp')!;
    expect(mail.subject).toBe(`【${account.insurer.name}】メールアドレス変更の認証コードのお知らせ`);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([
      expect.objectContaining({ kind: 'email_change_code', to_address: 'new.address@example.co.jp', member_id: account.member.id, sensitive: 1 }),
    ]);
    const verify = await agent.get('/portal/mypage/email/verify');
    expect(visibleText(verify.text)).toContain('new.address@example.co.jp');
    expect(verify.text).toContain('autocomplete="one-time-code"');
    expect(ctx.readers.account(account.id).email).toBe(account.email);

    const res = await agent.post('/portal/mypage/email/verify', { code });
    expect(res).toRedirectTo('/portal/mypage?done=email');
    expect(ctx.readers.account(account.id).email).toBe('new.address@example.co.jp');
    expect(codesOf(account.id)[0]!.consumed_at).toBe(ctx.clock.now());
    const mypage = visibleText((await agent.get('/portal/mypage?done=email')).text);
    expect(mypage).toContain('メールアドレスを変更しました');
    expect(mypage).toContain('new.address@example.co.jp'); // my page shows the member's own address whole

    expect(ctx.readers.mailsOfAccount(account.id).map((m) => [m.kind, m.to_address])).toEqual([
      ['email_change_code', 'new.address@example.co.jp'],
      ['email_changed', account.email],
    ]);
    await ctx.deliverMail();
    const notice = await ctx.smtp.waitForMail((m) => m.to === account.email);
    expect(notice.subject).toBe(`【${account.insurer.name}】メールアドレス変更のお知らせ`);
    expect(notice.text).toContain('n****@example.co.jp');
    expect(notice.text).not.toContain('new.address@');
  });

  it('refuses a wrong code, counting down the tries, and keeps the address', async () => {
    const { agent, account } = await signedIn();
    const code = await requestCode(agent, account, 'typo@example.co.jp');
    const wrong = code === '000000' ? '111111' : '000000';
    const res = await agent.post('/portal/mypage/email/verify', { code: wrong });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('あと4回間違えると');
    expect(ctx.readers.account(account.id).email).toBe(account.email);
  });

  it('refuses a code after 10 minutes', async () => {
    const { agent, account } = await signedIn();
    const code = await requestCode(agent, account, 'late@example.co.jp');
    ctx.clock.advance(10 * MINUTE);
    const res = await agent.post('/portal/mypage/email/verify', { code });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('有効期限が切れました');
    expect(ctx.readers.account(account.id).email).toBe(account.email);
  });

  it('resends a new code no sooner than a minute later, voiding the old one', async () => {
    const { agent, account } = await signedIn();
    const first = await requestCode(agent, account, 'again@example.co.jp');
    await agent.get('/portal/mypage/email/verify');
    const soon = await agent.post('/portal/mypage/email/verify/resend');
    expect(soon.status).toBe(429);
    expect(visibleText(soon.text)).toContain('1分に1回まで');
    ctx.clock.advance(61 * SECOND);
    const before = ctx.smtp.mails.length;
    await agent.get('/portal/mypage/email/verify');
    const resent = await agent.post('/portal/mypage/email/verify/resend');
    expect(resent.headers.location).toBe('/portal/mypage/email/verify?resent=1');
    await ctx.deliverMail();
    const mail = await ctx.smtp.waitForMail((m) => ctx.smtp.mails.indexOf(m) >= before && m.to === 'again@example.co.jp');
    const second = /認証コード：(\d{6})/.exec(mail.text)![1]!;
    expect(codesOf(account.id).map((c) => c.voided_at !== null)).toEqual([true, false]);
    await agent.get('/portal/mypage/email/verify');
    if (first !== second) expect((await agent.post('/portal/mypage/email/verify', { code: first })).status).toBe(400);
    expect((await agent.post('/portal/mypage/email/verify', { code: second })).status).toBe(303);
    expect(ctx.readers.account(account.id).email).toBe('again@example.co.jp');
  });

  it('checks the new address like signup does: shape, confirmation, not the current one', async () => {
    const { agent, account } = await signedIn();
    const bad = await agent.submit('/portal/mypage/email', { currentPassword: account.password, email: '_ab..cd---@example.co.jp', emailConfirm: '_ab..cd---@example.co.jp' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('ドット（.）が連続するアドレス');
    expect(bad.text).toContain('value="_ab..cd---@example.co.jp"');
    const differs = await agent.submit('/portal/mypage/email', { currentPassword: account.password, email: 'a@example.co.jp', emailConfirm: 'b@example.co.jp' });
    expect(visibleText(differs.text)).toContain('一致しません');
    const same = await agent.submit('/portal/mypage/email', { currentPassword: account.password, email: account.email.toUpperCase(), emailConfirm: account.email.toUpperCase() });
    expect(visibleText(same.text)).toContain('現在ご登録のメールアドレスと同じです');
    await agent.get('/portal/mypage/email');
    expect((await agent.post('/portal/mypage/email', { email: ['a', 'b'] })).status).toBe(400);
    expect(codesOf(account.id)).toEqual([]);
  });

  it('sends the code page back to the form when no code is waiting', async () => {
    const { agent } = await signedIn();
    const res = await agent.get('/portal/mypage/email/verify');
    expect(res).toRedirectTo('/portal/mypage/email');
  });

  it('refuses each of its forms without the CSRF token (403), changing nothing', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage/email');
    expect((await agent.post('/portal/mypage/email', { email: 'x@example.co.jp', emailConfirm: 'x@example.co.jp', _csrf: 'forged' })).status).toBe(403);
    expect(codesOf(account.id)).toEqual([]);
    const code = await requestCode(agent, account, 'csrf@example.co.jp');
    await agent.get('/portal/mypage/email/verify');
    expect((await agent.post('/portal/mypage/email/verify', { code, _csrf: 'forged' })).status).toBe(403);
    ctx.clock.advance(61 * SECOND);
    expect((await agent.post('/portal/mypage/email/verify/resend', { _csrf: 'forged' })).status).toBe(403);
    expect(ctx.readers.account(account.id).email).toBe(account.email);
    expect(codesOf(account.id)).toHaveLength(1);
  });
});

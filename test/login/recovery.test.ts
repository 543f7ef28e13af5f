import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { verifyPassword } from '../../src/lib/passwords.js';
import { keyedHasher, sha256 } from '../../src/lib/tokens.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, lockAccount, makeAccount, makeAttempt, makeMember, type TestAccount } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const resetsOf = (accountId: number) => ctx.readers.resetsOf(accountId);

const attemptsOf = (kind: string) =>
  ctx.readers.attempts(kind).map(({ success, member_id, account_id }) => ({ success, member_id, account_id }));

async function requestReset(loginId: string) {
  return new TestAgent(ctx.app).submit('/portal/password/forgot', { loginId });
}

/** Requests a link and reads it from the mail that arrived over SMTP. */
async function resetLinkFor(account: TestAccount): Promise<string> {
  const before = ctx.smtp.mails.length;
  await requestReset(account.loginId);
  await ctx.deliverMail();
  const mail = await ctx.smtp.waitForMail((m) => ctx.smtp.mails.indexOf(m) >= before && m.to === account.email && m.subject.includes('パスワード再設定のご案内'));
  const m = /http:\/\/127\.0\.0\.1(\/portal\/password\/reset\/[A-Za-z0-9_-]+)/.exec(mail.text);
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('forgotten password: the request', () => {
  it('gives the same page and status whether or not the ID exists, and mails a link only to an existing account', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { loginId: 'forgot01' });
    const existing = await requestReset('FORGOT01');
    const missing = await requestReset('forgot02');
    expect(existing.status).toBe(200);
    expect(missing.status).toBe(existing.status);
    expect(visibleText(missing.text)).toBe(visibleText(existing.text));
    expect(visibleText(existing.text)).toContain('入力されたユーザーIDが登録されている場合は');

    const [reset] = resetsOf(account.id);
    expect(reset).toMatchObject({ created_at: ctx.clock.now(), expires_at: ctx.clock.now() + 30 * MINUTE, used_at: null, voided_at: null });
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([
      expect.objectContaining({ kind: 'password_reset', to_address: account.email, member_id: account.member.id, account_id: account.id, sensitive: 1 }),
    ]);
    expect(ctx.readers.mailCount('password_reset')).toBe(1);
    expect(attemptsOf('password_forgot').slice(-2)).toEqual([
      { success: 1, member_id: account.member.id, account_id: account.id },
      { success: 0, member_id: null, account_id: null },
    ]);

    await ctx.deliverMail();
    const mail = await ctx.smtp.waitForMail((m) => m.to === account.email);
    expect(mail.subject).toBe(`【${account.insurer.name}】パスワード再設定のご案内`);
    const token = /\/portal\/password\/reset\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits
    // Stored keyed: whoever reads the database cannot tell a token from its stored value.
    expect(reset!.token_hash).toBe(keyedHasher(ctx.deps.config.sessionSecret, 'password-reset')(token));
    expect(reset!.token_hash).not.toBe(sha256(token));
    expect(reset!.token_hash).not.toContain(token);
  });

  it('voids the older link when a newer one is requested', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const first = await resetLinkFor(account);
    const second = await resetLinkFor(account);
    expect(first).not.toBe(second);
    expect(resetsOf(account.id).map((r) => r.voided_at !== null)).toEqual([true, false]);
    expect((await new TestAgent(ctx.app).get(first)).status).toBe(410);
    expect((await new TestAgent(ctx.app).get(second)).status).toBe(200);
  });

  it('sends at most five links an hour to one account, with the same answer', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    for (let i = 0; i < 6; i++) expect((await requestReset(account.loginId)).status).toBe(200);
    expect(ctx.readers.mailsOfAccount(account.id).length).toBe(5);
  });

  it('sends nothing for a closed account', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { status: 'closed' });
    await requestReset(account.loginId);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([]);
  });

  it('asks for the ID when it is empty, and answers malformed posts with 400', async () => {
    const empty = await requestReset('');
    expect(empty.status).toBe(400);
    expect(visibleText(empty.text)).toContain('ユーザーIDを入力してください');
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/password/forgot');
    expect((await agent.post('/portal/password/forgot', { loginId: ['a', 'b'] })).status).toBe(400);
  });

  it('refuses a request without the CSRF token (403) and sends nothing', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/password/forgot');
    expect((await agent.post('/portal/password/forgot', { loginId: account.loginId, _csrf: 'forged' })).status).toBe(403);
    expect(resetsOf(account.id)).toEqual([]);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([]);
  });
});

describe('forgotten password: the link', () => {
  it('sets a new password, unlocks, ends every session and mails a notice; the page sends no Referer', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const elsewhere = new TestAgent(ctx.app);
    await logIn(elsewhere, account.loginId, account.password);
    lockAccount(ctx.db, account.id, ctx.clock.now() + 15 * MINUTE);
    const link = await resetLinkFor(account);

    const agent = new TestAgent(ctx.app);
    const page = await agent.get(link);
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('autocomplete="new-password"');
    const res = await agent.post(link, { newPassword: 'Renewed#2026', newPasswordConfirm: 'Renewed#2026' });
    expect(res.status).toBe(200);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(visibleText(res.text)).toContain('パスワードを再設定しました');
    expect(res.text).toContain('href="/portal/"');

    const row = ctx.readers.account(account.id);
    expect(await verifyPassword(row.password_hash, 'Renewed#2026')).toBe(true);
    expect(row.failed_logins).toBe(0);
    expect(row.locked_until).toBeNull();
    expect(resetsOf(account.id)[0]!.used_at).toBe(ctx.clock.now());
    expect(ctx.readers.sessionCount(account.id)).toBe(0);
    expect((await elsewhere.get('/portal/mypage')).status).toBe(303);

    await ctx.deliverMail();
    const notice = await ctx.smtp.waitForMail((m) => m.to === account.email && m.subject.includes('パスワード変更のお知らせ'));
    expect(notice.text).toContain('再設定');
    expect(ctx.readers.mailsOfAccount(account.id).map((m) => m.kind)).toEqual(['password_reset', 'password_changed']);
    expect((await logIn(new TestAgent(ctx.app), account.loginId, 'Renewed#2026')).status).toBe(303);
  });

  it('refuses a link used once already, with a clear page', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const link = await resetLinkFor(account);
    const agent = new TestAgent(ctx.app);
    await agent.get(link);
    await agent.post(link, { newPassword: 'Renewed#2026', newPasswordConfirm: 'Renewed#2026' });
    const reused = await new TestAgent(ctx.app).get(link);
    expect(reused.status).toBe(410);
    expect(visibleText(reused.text)).toContain('このリンクは使えません');
    expect(reused.text).toContain('href="/portal/password/forgot"');
    const again = new TestAgent(ctx.app);
    await again.get('/portal/password/forgot');
    const post = await again.post(link, { newPassword: 'Another#2026', newPasswordConfirm: 'Another#2026' });
    expect(post.status).toBe(410);
    expect(await verifyPassword(ctx.readers.account(account.id).password_hash, 'Renewed#2026')).toBe(true);
  });

  it('refuses a link after 30 minutes', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const link = await resetLinkFor(account);
    ctx.clock.advance(29 * MINUTE);
    expect((await new TestAgent(ctx.app).get(link)).status).toBe(200);
    ctx.clock.advance(1 * MINUTE);
    const expired = await new TestAgent(ctx.app).get(link);
    expect(expired.status).toBe(410);
    expect(visibleText(expired.text)).toContain('有効期限（30分）');
  });

  it('refuses unknown and malformed tokens without an error page', async () => {
    for (const path of ['/portal/password/reset/' + 'A'.repeat(43), '/portal/password/reset/short', '/portal/password/reset/%E0%A4%A', '/portal/password/reset/' + 'x'.repeat(500)]) {
      const res = await new TestAgent(ctx.app).get(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('names the rules a new password breaks and keeps the link open', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const link = await resetLinkFor(account);
    const agent = new TestAgent(ctx.app);
    await agent.get(link);
    const weak = await agent.post(link, { newPassword: account.loginId, newPasswordConfirm: account.loginId });
    expect(weak.status).toBe(400);
    expect(visibleText(weak.text)).toContain('ユーザーIDと同じパスワードは使えません');
    const differs = await agent.post(link, { newPassword: 'Renewed#2026', newPasswordConfirm: 'Renewed#2027' });
    expect(visibleText(differs.text)).toContain('一致しません');
    const malformed = await agent.post(link, { newPassword: ['a', 'b'] });
    expect(malformed.status).toBe(400);
    expect(resetsOf(account.id).at(-1)!.used_at).toBeNull();
  });

  it('refuses a reset without the CSRF token (403) and keeps the old password', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const link = await resetLinkFor(account);
    const agent = new TestAgent(ctx.app);
    await agent.get(link);
    expect((await agent.post(link, { newPassword: 'Renewed#2026', newPasswordConfirm: 'Renewed#2026', _csrf: 'forged' })).status).toBe(403);
    expect(await verifyPassword(ctx.readers.account(account.id).password_hash, account.password)).toBe(true);
    expect(resetsOf(account.id).at(-1)!.used_at).toBeNull();
  });

  it('is voided by a password change on my page', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const link = await resetLinkFor(account);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    await agent.get('/portal/mypage/password');
    const changed = await agent.post('/portal/mypage/password', { currentPassword: account.password, newPassword: 'Tsuki#Hana39', newPasswordConfirm: 'Tsuki#Hana39' });
    expect(changed.status).toBe(303);
    expect(resetsOf(account.id).at(-1)!.voided_at).not.toBeNull();
    expect((await new TestAgent(ctx.app).get(link)).status).toBe(410);
  });
});

describe('forgotten ID', () => {
  const identity = (o: { insurerCode: string; number: string; nameKana?: string }) => ({
    insurerCode: o.insurerCode, symbol: '100', number: o.number, birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: o.nameKana ?? 'けんぽ しょうこ',
  });

  it('shows the signup identity fields', async () => {
    const res = await new TestAgent(ctx.app).get('/portal/userid/forgot');
    expect(res.status).toBe(200);
    for (const name of ['insurerCode', 'symbol', 'number', 'birthYear', 'birthMonth', 'birthDay', 'nameKana']) expect(res.text).toContain(`name="${name}"`);
  });

  it('mails the ID to the registered address on a match, and gives the same answer when nothing matches', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { loginId: 'remember01', email: 'registered@example.jp' });
    const matched = await new TestAgent(ctx.app).submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: account.member.number }));
    const wrongName = await new TestAgent(ctx.app).submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: account.member.number, nameKana: 'ホケン タロウ' }));
    const noAccount = makeMember(ctx.db, ctx.clock, account.insurer);
    const unregistered = await new TestAgent(ctx.app).submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: noAccount.number }));
    const lost = makeMember(ctx.db, ctx.clock, account.insurer, { status: 'lost' });
    const lostAnswer = await new TestAgent(ctx.app).submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: lost.number }));

    for (const other of [wrongName, unregistered, lostAnswer]) {
      expect(other.status).toBe(matched.status);
      expect(visibleText(other.text)).toBe(visibleText(matched.text));
    }
    expect(matched.status).toBe(200);
    expect(visibleText(matched.text)).toContain('ご登録のメールアドレスにユーザーIDをお送りしました');

    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([
      expect.objectContaining({ kind: 'userid_reminder', to_address: 'registered@example.jp', member_id: account.member.id, account_id: account.id }),
    ]);
    expect(ctx.readers.mailCount('userid_reminder')).toBe(1);
    await ctx.deliverMail();
    const mail = await ctx.smtp.waitForMail((m) => m.to === 'registered@example.jp');
    expect(mail.subject).toBe(`【${account.insurer.name}】ユーザーIDのお知らせ`);
    expect(mail.text).toContain('ユーザーID：remember01');
    expect(attemptsOf('userid_forgot').slice(-4).map((a) => a.success)).toEqual([1, 0, 1, 1]);
  });

  it('pauses an address after 100 identity failures an hour (429)', async () => {
    const throttled = await createTestContext();
    try {
      const account = await makeAccount(throttled.db, throttled.clock);
      const agent = new TestAgent(throttled.app);
      await agent.submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: '999999' }));
      const ip = throttled.readers.attempts('userid_forgot')[0]!.client_ip;
      for (let i = 0; i < 99; i++) makeAttempt(throttled.db, { kind: 'identity', at: throttled.clock.now(), clientIp: ip });
      const res = await agent.submit('/portal/userid/forgot', identity({ insurerCode: account.insurer.code, number: account.member.number }));
      expect(res.status).toBe(429);
      expect(visibleText(res.text)).toContain('一時的に受付を停止しています');
      expect(throttled.readers.mailCount()).toBe(0);
    } finally {
      await throttled.close();
    }
  });

  it('names the fields that are missing or malformed (400)', async () => {
    const res = await new TestAgent(ctx.app).submit('/portal/userid/forgot', { insurerCode: '', symbol: '', number: '', nameKana: '漢字' });
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('保険者指定コードを入力してください');
    expect(text).toContain('使えない文字');
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/userid/forgot');
    expect((await agent.post('/portal/userid/forgot', { insurerCode: ['a', 'b'], birthYear: ['1', '2'] })).status).toBe(400);
  });

  it('refuses a request without the CSRF token (403) and sends nothing', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/userid/forgot');
    const res = await agent.post('/portal/userid/forgot', { ...identity({ insurerCode: account.insurer.code, number: account.member.number }), _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(ctx.readers.mailsOfAccount(account.id)).toEqual([]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { verifyAgainstDummy, verifyPassword } from '../../src/lib/passwords.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeAttempt, makeInsurer } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

// The real argon2 functions, observed: the unknown-ID path must spend a dummy verification.
vi.mock('../../src/lib/passwords.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/lib/passwords.js')>();
  return { ...actual, verifyAgainstDummy: vi.fn(actual.verifyAgainstDummy), verifyPassword: vi.fn(actual.verifyPassword) };
});

const GENERIC = 'ユーザーIDまたはパスワードが正しくありません';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => {
  vi.mocked(verifyAgainstDummy).mockClear();
  vi.mocked(verifyPassword).mockClear();
});

describe('login page', () => {
  it('shows the form with links to the forgotten-password, forgotten-ID and first-login pages', async () => {
    makeInsurer(ctx.db, ctx.clock);
    const res = await new TestAgent(ctx.app).get('/portal/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="loginId"');
    expect(res.text).toContain('autocomplete="username"');
    expect(res.text).toContain('autocomplete="current-password"');
    expect(res.text).toContain('href="/portal/password/forgot"');
    expect(res.text).toContain('href="/portal/userid/forgot"');
    expect(res.text).toContain('href="/portal/signup"');
    expect(visibleText(res.text)).toContain('はじめてご利用の方（初回登録）');
  });

  it('logs in with the ID in any case, records the attempt and the time, and goes to my page', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { loginId: 'Kenpo01' });
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const agent = new TestAgent(ctx.app);
    const res = await logIn(agent, 'kENPO01', account.password);
    expect(res).toRedirectTo('/portal/mypage');
    const row = ctx.readers.account(account.id);
    expect(row.last_login_at).toBe(ctx.clock.now());
    expect(row.previous_login_at).toBeNull();
    expect(ctx.readers.loginAttempts(account.id)).toEqual([{ success: 1, account_id: account.id, client_ip: expect.any(String) }]);
    const mypage = await agent.get('/portal/mypage');
    expect(mypage.status).toBe(200);
  });

  it('refuses a wrong password with the generic message and counts the failure', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const res = await logIn(new TestAgent(ctx.app), account.loginId, 'Wrong#pass1');
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain(GENERIC);
    expect(res.text).toContain(`value="${account.loginId}"`);
    expect(ctx.readers.account(account.id).failed_logins).toBe(1);
    expect(ctx.readers.loginAttempts(account.id)).toEqual([{ success: 0, account_id: account.id, client_ip: expect.any(String) }]);
    expect(verifyAgainstDummy).not.toHaveBeenCalled();
  });

  it('answers an unknown ID with the same message after a dummy argon2 verification', async () => {
    const before = ctx.readers.loginAttempts(null).length;
    const res = await logIn(new TestAgent(ctx.app), 'nobody-has-this', 'Some#pass1');
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain(GENERIC);
    expect(verifyAgainstDummy).toHaveBeenCalledTimes(1);
    expect(vi.mocked(verifyAgainstDummy).mock.calls[0]![0]).toBe('Some#pass1');
    expect(ctx.readers.loginAttempts(null).length).toBe(before + 1);
  });

  it('gives the same page for an unknown ID and a wrong password', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { loginId: 'samepage1' });
    const wrong = await logIn(new TestAgent(ctx.app), 'samepage1', 'Wrong#pass1');
    const unknown = await logIn(new TestAgent(ctx.app), 'samepage2', 'Wrong#pass1');
    expect(wrong.status).toBe(unknown.status);
    const strip = (html: string) => visibleText(html).replace(/samepage\d/g, 'ID');
    expect(strip(wrong.text)).toBe(strip(unknown.text));
    expect(ctx.readers.account(account.id).failed_logins).toBe(1);
  });

  it('clears the failure count on a successful login', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    await logIn(new TestAgent(ctx.app), account.loginId, 'Wrong#pass1');
    await logIn(new TestAgent(ctx.app), account.loginId, 'Wrong#pass2');
    expect(ctx.readers.account(account.id).failed_logins).toBe(2);
    const ok = await logIn(new TestAgent(ctx.app), account.loginId, account.password);
    expect(ok.status).toBe(303);
    expect(ctx.readers.account(account.id).failed_logins).toBe(0);
  });

  it('asks for both fields without checking any password when they are empty', async () => {
    const res = await logIn(new TestAgent(ctx.app), '', '');
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('ユーザーIDを入力してください');
    expect(text).toContain('パスワードを入力してください');
    expect(verifyPassword).not.toHaveBeenCalled();
    expect(verifyAgainstDummy).not.toHaveBeenCalled();
  });

  it('answers malformed posts (repeated fields, missing fields) with 4xx, never 5xx', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/');
    const repeated = await agent.post('/portal/login', { loginId: ['a', 'b'], password: ['x', 'y'] });
    expect(repeated.status).toBe(400);
    await agent.get('/portal/');
    const missing = await agent.post('/portal/login', {});
    expect(missing.status).toBe(400);
    await agent.get('/portal/');
    const long = await agent.post('/portal/login', { loginId: 'a'.repeat(5000), password: 'b'.repeat(5000) });
    expect(long.status).toBe(400);
  });
});

/** What a person sees of an answer: its status and its words (the CSRF token is not among them). */
const answerOf = (res: { status: number; text: string }) => ({ status: res.status, text: visibleText(res.text) });
/** Exactly one argon2 verification was spent on the last login, whatever the account. */
function expectOneHash() {
  expect(vi.mocked(verifyPassword).mock.calls.length + vi.mocked(verifyAgainstDummy).mock.calls.length).toBe(1);
  vi.mocked(verifyPassword).mockClear();
  vi.mocked(verifyAgainstDummy).mockClear();
}

describe('lock after five failures in a row', () => {
  it('locks for 15 minutes at the fifth failure; during the lock even the right password answers like a wrong one', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const unknown = answerOf(await logIn(new TestAgent(ctx.app), 'nobody-has-this-id', 'Wrong#pass0'));
    expect(unknown.status).toBe(401);
    for (let i = 1; i <= 5; i++) {
      const res = await logIn(new TestAgent(ctx.app), account.loginId, `Wrong#pass${i}`);
      // Every failure states the lock rule, so the fifth looks like the first (and like an unknown ID).
      expect(answerOf(res)).toEqual(unknown);
      expect(visibleText(res.text)).toContain(GENERIC);
      expect(visibleText(res.text)).toContain('パスワードを5回続けて間違えると、15分間ログインできなくなります');
    }
    expect(ctx.readers.account(account.id).locked_until).toBe(ctx.clock.now() + 15 * MINUTE);

    ctx.clock.advance(14 * MINUTE);
    vi.mocked(verifyPassword).mockClear();
    vi.mocked(verifyAgainstDummy).mockClear();
    const during = await logIn(new TestAgent(ctx.app), account.loginId, account.password);
    expect(answerOf(during)).toEqual(unknown);
    expectOneHash();
    expect(during.text).toContain('href="/portal/password/forgot"');
    expect(ctx.readers.account(account.id).last_login_at).toBeNull();
    expect(ctx.readers.account(account.id).locked_until).toBe(ctx.clock.now() + 1 * MINUTE); // the right password does not extend it

    // A guess during the lock is counted: the lock runs 15 minutes from the last wrong guess.
    const guess = await logIn(new TestAgent(ctx.app), account.loginId, 'Wrong#pass6');
    expect(answerOf(guess)).toEqual(unknown);
    expectOneHash();
    expect(ctx.readers.account(account.id)).toMatchObject({ failed_logins: 6, locked_until: ctx.clock.now() + 15 * MINUTE });
    ctx.clock.advance(1 * MINUTE + 1);
    expect(answerOf(await logIn(new TestAgent(ctx.app), account.loginId, account.password))).toEqual(unknown);

    ctx.clock.advance(14 * MINUTE);
    const after = await logIn(new TestAgent(ctx.app), account.loginId, account.password);
    expect(after.status).toBe(303);
    const row = ctx.readers.account(account.id);
    expect(row.failed_logins).toBe(0);
    expect(row.locked_until).toBeNull();
  });

  it('gives a fresh count of five once a lock has run out', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    for (let i = 1; i <= 5; i++) await logIn(new TestAgent(ctx.app), account.loginId, `Wrong#pass${i}`);
    ctx.clock.advance(16 * MINUTE);
    const res = await logIn(new TestAgent(ctx.app), account.loginId, 'Wrong#again1');
    expect(visibleText(res.text)).toContain(GENERIC);
    const row = ctx.readers.account(account.id);
    expect(row.failed_logins).toBe(1);
    expect(row.locked_until).toBeNull();
  });
});

describe('per-address cap', () => {
  it('pauses logins from an address after 50 failures in 15 minutes, without hashing, and lets it go after', async () => {
    const cap = await createTestContext();
    try {
      const account = await makeAccount(cap.db, cap.clock);
      const agent = new TestAgent(cap.app);
      await logIn(agent, 'unknown-first', 'Wrong#pass1');
      const ip = cap.readers.attempts('login')[0]!.client_ip;
      for (let i = 0; i < 49; i++) makeAttempt(cap.db, { kind: 'login', at: cap.clock.now(), clientIp: ip });
      vi.mocked(verifyPassword).mockClear();
      vi.mocked(verifyAgainstDummy).mockClear();

      const res = await logIn(agent, account.loginId, account.password);
      expect(res.status).toBe(429);
      expect(visibleText(res.text)).toContain('一時的にログインを受け付けていません');
      expect(verifyPassword).not.toHaveBeenCalled();
      expect(verifyAgainstDummy).not.toHaveBeenCalled();
      expect(cap.readers.account(account.id).last_login_at).toBeNull();

      cap.clock.advance(15 * MINUTE + 1);
      const later = await logIn(agent, account.loginId, account.password);
      expect(later.status).toBe(303);
    } finally {
      await cap.close();
    }
  });
});

describe('closed accounts', () => {
  for (const closedReason of ['yearly_reset', 'staff'] as const) {
    it(`answers the right password of an account closed (${closedReason}) exactly like an unknown ID, with the yearly-reset notice and the signup link`, async () => {
      const account = await makeAccount(ctx.db, ctx.clock, { status: 'closed', closedReason });
      const unknown = answerOf(await logIn(new TestAgent(ctx.app), 'nobody-has-this-id', account.password));
      vi.mocked(verifyPassword).mockClear();
      vi.mocked(verifyAgainstDummy).mockClear();
      const res = await logIn(new TestAgent(ctx.app), account.loginId, account.password);
      expect(answerOf(res)).toEqual(unknown);
      expectOneHash();
      expect(res.status).toBe(401);
      const text = visibleText(res.text);
      expect(text).toContain(GENERIC);
      expect(text).toContain('昨年度のユーザーID・パスワードは、年度替わりにリセットされています。今年度はじめてご利用の方は、初回登録画面から改めて登録してください');
      expect(res.text).toContain('href="/portal/signup"');
      expect(ctx.readers.account(account.id).last_login_at).toBeNull();
      // A closed account is no account: the failure counts against the address only.
      expect(ctx.readers.loginAttempts(account.id)).toEqual([]);
    });
  }

  it('logs in to this year’s account when last year’s closed one had the same ID', async () => {
    const old = await makeAccount(ctx.db, ctx.clock, { loginId: 'samename1', password: 'OldPass#2025', status: 'closed' });
    const current = await makeAccount(ctx.db, ctx.clock, { member: old.member, insurer: old.insurer, loginId: 'SameName1', password: 'NewPass#2026' });
    acceptLatestTerms(ctx.db, ctx.clock, current);
    const oldPassword = await logIn(new TestAgent(ctx.app), 'samename1', 'OldPass#2025');
    expect(visibleText(oldPassword.text)).toContain(GENERIC);
    const ok = await logIn(new TestAgent(ctx.app), 'samename1', 'NewPass#2026');
    expect(ok.status).toBe(303);
    expect(ctx.readers.account(current.id).last_login_at).toBe(ctx.clock.now());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../src/lib/clock.js';
import { safeNextPath } from '../../src/http/member-guard.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, closeAccount, makeAccount, makeMember, type TestAccount } from '../support/factories.js';
import { identityFields, logIn } from '../support/member-flows.js';

const COOKIE = 'portal.sid';
const ENDED = '安全のためログアウトしました';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function signedIn(): Promise<{ agent: TestAgent; account: TestAccount }> {
  const account = await makeAccount(ctx.db, ctx.clock);
  acceptLatestTerms(ctx.db, ctx.clock, account);
  const agent = new TestAgent(ctx.app);
  const res = await logIn(agent, account.loginId, account.password);
  expect(res.status).toBe(303);
  return { agent, account };
}

const sessionsOf = (accountId: number) => ctx.readers.sessionCount(accountId);

describe('session at login and logout', () => {
  it('stores nothing for a visitor who only opens the login page', async () => {
    const before = ctx.readers.count('sessions');
    const agent = new TestAgent(ctx.app);
    const page = await agent.get('/portal/');
    expect(page.status).toBe(200);
    expect(agent.cookie(COOKIE)).toBeUndefined();
    expect(agent.cookie('portal.csrf')).toBeDefined();
    expect(ctx.readers.count('sessions')).toBe(before);
  });

  it('gives a new session cookie and a new CSRF cookie at login, and ties the session to the account', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const agent = new TestAgent(ctx.app);
    // A session from before login (here: a signup in progress), as an attacker could have planted.
    const other = makeMember(ctx.db, ctx.clock, account.insurer);
    await agent.get('/portal/signup');
    expect((await agent.post('/portal/signup', identityFields(account.insurer, other))).status).toBe(303);
    const before = agent.cookie(COOKIE);
    expect(before).toBeDefined();
    await agent.get('/portal/');
    const csrfBefore = agent.cookie('portal.csrf');
    await agent.post('/portal/login', { loginId: account.loginId, password: account.password });
    const after = agent.cookie(COOKIE);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(agent.cookie('portal.csrf')).not.toBe(csrfBefore);
    expect(sessionsOf(account.id)).toBe(1);
    // The token of a page seen before login is worthless after it.
    const stale = await agent.post('/portal/logout');
    expect(stale.status).toBe(403);
  });

  it('sends a signed-in member from the login page to my page', async () => {
    const { agent } = await signedIn();
    const res = await agent.get('/portal/');
    expect(res).toRedirectTo('/portal/mypage');
  });

  it('destroys the session at logout and says so on the login page', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage');
    const res = await agent.post('/portal/logout');
    expect(res).toRedirectTo('/portal/?loggedOut=1');
    expect(sessionsOf(account.id)).toBe(0);
    const page = await agent.get(res.headers.location as string);
    expect(visibleText(page.text)).toContain('ログアウトしました。');
    const mypage = await agent.get('/portal/mypage');
    expect(mypage).toRedirectTo('/portal/?next=%2Fportal%2Fmypage');
  });

  it('refuses a logout without the CSRF token and keeps the member signed in', async () => {
    const { agent, account } = await signedIn();
    await agent.get('/portal/mypage');
    const res = await agent.post('/portal/logout', { _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(sessionsOf(account.id)).toBe(1);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
  });
});

describe('session limits', () => {
  it('ends a session idle for more than 30 minutes: pages behind login go back to the login page', async () => {
    const { agent, account } = await signedIn();
    ctx.clock.advance(29 * MINUTE);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    ctx.clock.advance(30 * MINUTE + 1);
    const res = await agent.get('/portal/mypage');
    expect(res).toRedirectTo('/portal/?next=%2Fportal%2Fmypage');
    const login = await agent.get(res.headers.location as string);
    expect(login.status).toBe(200);
    expect(login.text).toContain('name="next" value="/portal/mypage"');
    expect(visibleText(login.text)).toContain(ENDED);
    // The old session no longer signs anyone in: the member is on a fresh, anonymous one.
    const signedInRows = ctx.db
      .prepare('SELECT count(*) FROM sessions WHERE account_id = ? AND expires_at > ?')
      .pluck()
      .get(account.id, ctx.clock.now());
    expect(signedInRows).toBe(0);
  });

  it('writes a busy session back at most every 5 seconds, and still ends it 30 minutes after its last request', async () => {
    const { agent, account } = await signedIn();
    const row = () => ctx.db.prepare('SELECT sess FROM sessions WHERE account_id = ?').pluck().get(account.id) as string;
    const lastSeen = () => (JSON.parse(row()) as { lastSeenAt: number }).lastSeenAt;
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    const written = row();
    ctx.clock.advance(4 * SECOND);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    expect(row()).toBe(written); // nothing changed, nothing written
    ctx.clock.advance(1 * SECOND);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    const seen = lastSeen();
    expect(seen).toBe(ctx.clock.now());
    ctx.clock.advance(30 * MINUTE);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    ctx.clock.advance(30 * MINUTE + 1);
    expect((await agent.get('/portal/mypage')).status).toBe(303);
  });

  it('ends the other sessions of an account whose password changed, even one saved back by a request in flight', async () => {
    const { agent, account } = await signedIn();
    const sid = ctx.db.prepare('SELECT sid, sess FROM sessions WHERE account_id = ?').get(account.id) as { sid: string; sess: string };
    expect((await agent.get('/portal/mypage')).status).toBe(200);
    const admitted = ctx.db.prepare('SELECT sess FROM sessions WHERE sid = ?').pluck().get(sid.sid) as string;
    // Another device changes the password; this session's row is deleted, then an in-flight request writes it back.
    ctx.db.prepare('UPDATE accounts SET password_changed_at = ? WHERE id = ?').run(ctx.clock.now() + 1, account.id);
    ctx.db.prepare('DELETE FROM sessions WHERE sid = ?').run(sid.sid);
    ctx.db
      .prepare('INSERT INTO sessions (sid, sess, expires_at, account_id) VALUES (?, ?, ?, ?)')
      .run(sid.sid, admitted, ctx.clock.now() + HOUR, account.id);
    const res = await agent.get('/portal/mypage');
    expect(res).toRedirectTo('/portal/?next=%2Fportal%2Fmypage');
  });

  it('ends a session 12 hours after login even when it is used all the time', async () => {
    const { agent } = await signedIn();
    for (let elapsed = 0; elapsed < 12 * HOUR - 20 * MINUTE; elapsed += 20 * MINUTE) {
      ctx.clock.advance(20 * MINUTE);
      expect((await agent.get('/portal/mypage')).status).toBe(200);
    }
    ctx.clock.advance(20 * MINUTE + 1);
    const res = await agent.get('/portal/mypage');
    expect(res).toRedirectTo('/portal/?next=%2Fportal%2Fmypage');
    const login = await agent.get(res.headers.location as string);
    expect(visibleText(login.text)).toContain(ENDED);
    // Said once: a reload no longer shows it.
    expect(visibleText((await agent.get('/portal/')).text)).not.toContain(ENDED);
  });

  it('sends a member whose account was closed meanwhile back to the login page', async () => {
    const { agent, account } = await signedIn();
    closeAccount(ctx.db, account.id, ctx.clock.now(), 'staff');
    const res = await agent.get('/portal/mypage');
    expect(res.status).toBe(303);
    const login = await agent.get('/portal/');
    expect(login.status).toBe(200);
  });
});

describe('coming back after login', () => {
  it('brings the member back to the page they were going to', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const agent = new TestAgent(ctx.app);
    const guarded = await agent.get('/portal/mypage/password');
    expect(guarded.headers.location).toBe('/portal/?next=%2Fportal%2Fmypage%2Fpassword');
    const page = await agent.get(guarded.headers.location as string);
    expect(page.text).toContain('name="next" value="/portal/mypage/password"');
    const res = await agent.post('/portal/login', { loginId: account.loginId, password: account.password, next: '/portal/mypage/password' });
    expect(res.headers.location).toBe('/portal/mypage/password');
  });

  for (const next of ['//evil.example', 'https://evil.example', '/\\evil', '/portal/../staff/', '/portal/%2e%2e/staff', '/portal/\\\\evil.example', 'javascript:alert(1)']) {
    it(`ignores next=${JSON.stringify(next)} and goes to my page`, async () => {
      const account = await makeAccount(ctx.db, ctx.clock);
      const agent = new TestAgent(ctx.app);
      const page = await agent.get(`/portal/?next=${encodeURIComponent(next)}`);
      expect(page.text).not.toContain('name="next"');
      const res = await agent.post('/portal/login', { loginId: account.loginId, password: account.password, next });
      expect(res).toRedirectTo('/portal/mypage');
    });
  }

  it('accepts only same-site /portal/ paths', () => {
    expect(safeNextPath('/portal/mypage')).toBe('/portal/mypage');
    expect(safeNextPath('/portal/mypage/email?x=1')).toBe('/portal/mypage/email?x=1');
    for (const bad of ['//evil.example', '/\\evil', 'https://evil.example/portal/', '/portal', '/staff/', '', undefined, ['/portal/mypage'], '/portal/\nx', '/portal/%0d%0aSet-Cookie']) {
      expect(safeNextPath(bad)).toBeUndefined();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_ADDRESS_LIMIT } from '../../src/features/accounts/service.js';
import { CODES_PER_HOUR } from '../../src/features/email-codes/service.js';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { TAKEN_ANSWERS_ADDRESS_LIMIT, TAKEN_ANSWERS_PER_MEMBER_HOUR } from '../../src/features/signup/service.js';
import { TestAgent, csrfTokenOf, visibleText } from '../support/agent.js';
import { type Listening, type TestContext, createTestContext, listen } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, logIn, submitIdentity } from '../support/member-flows.js';

/*
 * Every cap must hold when a burst arrives at once: each test sends all its requests before
 * any answer comes back, against a real listening server, and counts what got through.
 */

let ctx: TestContext;
let web: Listening;
let insurer: Insurer;
beforeEach(async () => {
  ctx = await createTestContext({ LOG_LEVEL: 'warn' });
  web = await listen(ctx.app);
  insurer = makeInsurer(ctx.db, ctx.clock);
});
afterEach(async () => {
  await web.close();
  await ctx.close();
});

const newAgent = () => new TestAgent(web.server);
const statuses = (answers: { status: number }[]) =>
  answers.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

describe('the per-address login cap under a burst', () => {
  it('120 wrong logins at once from one address: exactly 50 are hashed and refused, 70 are paused (429) before hashing', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const agent = newAgent();
    const token = csrfTokenOf((await agent.get('/portal/')).text);
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        agent.http.post('/portal/login').type('form').send({ _csrf: token, loginId: i % 2 ? account.loginId : `nobody-${i}`, password: `Wrong#pass${i}` }),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: LOGIN_ADDRESS_LIMIT.limit, 429: 120 - LOGIN_ADDRESS_LIMIT.limit });
    for (const res of answers.filter((r) => r.status === 429)) {
      expect(visibleText(res.text)).toContain('一時的にログインを受け付けていません');
    }
    // One attempt row per hash: the paused ones left none.
    expect(ctx.readers.count('attempts', "kind = 'login'")).toBe(LOGIN_ADDRESS_LIMIT.limit);
  }, 120_000);

  it('60 wrong current passwords at once on my page: failed logins that lock the account at the fifth, never more hashed than the address cap', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const agent = newAgent();
    expect((await logIn(agent, account.loginId, account.password)).status).toBe(303);
    const token = csrfTokenOf((await agent.get('/portal/mypage/password')).text);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        agent.http.post('/portal/mypage/password').type('form').send({
          _csrf: token, currentPassword: `Wrong#pass${i}`, newPassword: 'Fresh#Pass2026', newPasswordConfirm: 'Fresh#Pass2026',
        }),
      ),
    );
    // Four are told the password is wrong; from the fifth on, that the account is locked (or the address paused).
    expect(statuses(answers)).toEqual({ 400: 4, 429: 56 });
    const hashed = ctx.readers.count('attempts', "kind = 'login' AND success = 0");
    expect(hashed).toBeGreaterThanOrEqual(5);
    expect(hashed).toBeLessThanOrEqual(LOGIN_ADDRESS_LIMIT.limit);
    // The account is locked, and the password did not change.
    const row = ctx.db.prepare('SELECT locked_until, password_hash FROM accounts WHERE id = ?').get(account.id) as { locked_until: number | null };
    expect(row.locked_until).not.toBeNull();
    expect(ctx.readers.count('outbox', "kind = 'password_changed'")).toBe(0);
  }, 120_000);
});

describe('the code-mail cap under a burst', () => {
  it('20 step-2 posts at once mail no more than 6 codes an hour to the member', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = newAgent();
    expect((await submitIdentity(agent, identityFields(insurer, member))).status).toBe(303);
    const token = csrfTokenOf((await agent.get('/portal/signup/account')).text);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        agent.http.post('/portal/signup/account').type('form').send({
          _csrf: token, loginId: `burst-${i}`, password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD,
          email: 'burst@example.com', emailConfirm: 'burst@example.com',
        }),
      ),
    );
    expect(statuses(answers)).toEqual({ 303: CODES_PER_HOUR, 429: 20 - CODES_PER_HOUR });
    expect(ctx.readers.count('email_codes', 'member_id = ?', member.id)).toBe(CODES_PER_HOUR);
    expect(ctx.readers.count('signup_registrations', 'member_id = ?', member.id)).toBe(CODES_PER_HOUR);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === 'burst@example.com')).toHaveLength(CODES_PER_HOUR);
  }, 120_000);
});

describe('login IDs found taken at signup step 2', () => {
  it('answers "already used" 10 times an hour to one verified member, then 429 whatever the ID, even in a burst of 200', async () => {
    const owners = await Promise.all(Array.from({ length: 3 }, (_, i) => makeAccount(ctx.db, ctx.clock, { insurer, loginId: `taken-${i}` })));
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = newAgent();
    expect((await submitIdentity(agent, identityFields(insurer, member))).status).toBe(303);
    const token = csrfTokenOf((await agent.get('/portal/signup/account')).text);
    const probe = (loginId: string) =>
      agent.http.post('/portal/signup/account').type('form').send({
        _csrf: token, loginId, password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'probe@example.com', emailConfirm: 'probe@example.com',
      });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => probe(owners[i % 3]!.loginId)));
    expect(statuses(answers)).toEqual({ 400: TAKEN_ANSWERS_PER_MEMBER_HOUR, 429: 200 - TAKEN_ANSWERS_PER_MEMBER_HOUR });
    expect(answers.filter((r) => visibleText(r.text).includes('このユーザーIDはすでに使われています'))).toHaveLength(TAKEN_ANSWERS_PER_MEMBER_HOUR);
    expect(visibleText(answers.find((r) => r.status === 429)!.text)).toContain('ユーザーIDの確認が短い時間に続いたため');
    // Past the ration a free ID is refused too: a different answer would tell as much.
    expect((await probe('surely-free-id')).status).toBe(429);
    expect(ctx.readers.count('attempts', "kind = 'login_id_taken' AND member_id = ?", member.id)).toBe(TAKEN_ANSWERS_PER_MEMBER_HOUR);
    expect(ctx.readers.count('email_codes')).toBe(0);

    ctx.clock.advance(61 * 60_000);
    await submitIdentity(agent, identityFields(insurer, member)); // the signup session ran out meanwhile
    expect((await agent.submit('/portal/signup/account', {
      loginId: 'surely-free-id', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'probe@example.com', emailConfirm: 'probe@example.com',
    })).status).toBe(303);
  }, 120_000);

  it('answers "already used" at most 50 times an hour to one address, across members', async () => {
    const owner = await makeAccount(ctx.db, ctx.clock, { insurer, loginId: 'taken-by-one' });
    const answers: number[] = [];
    for (let m = 0; m < 6; m++) {
      const agent = newAgent();
      const member = makeMember(ctx.db, ctx.clock, insurer);
      expect((await submitIdentity(agent, identityFields(insurer, member))).status).toBe(303);
      const token = csrfTokenOf((await agent.get('/portal/signup/account')).text);
      const batch = await Promise.all(
        Array.from({ length: TAKEN_ANSWERS_PER_MEMBER_HOUR }, () =>
          agent.http.post('/portal/signup/account').type('form').send({
            _csrf: token, loginId: owner.loginId, password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'p@example.com', emailConfirm: 'p@example.com',
          }),
        ),
      );
      answers.push(...batch.map((r) => r.status));
    }
    expect(answers.filter((s) => s === 400)).toHaveLength(TAKEN_ANSWERS_ADDRESS_LIMIT.limit);
    expect(answers.filter((s) => s === 429)).toHaveLength(60 - TAKEN_ANSWERS_ADDRESS_LIMIT.limit);
    expect(ctx.readers.count('attempts', "kind = 'login_id_taken'")).toBe(TAKEN_ANSWERS_ADDRESS_LIMIT.limit);
  }, 120_000);
});

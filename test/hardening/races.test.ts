import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { LOGIN_LOCK_MS } from '../../src/features/accounts/service.js';
import { STAFF_ADDRESS_FAILURE_LIMIT } from '../../src/features/staff/auth/service.js';
import { MINUTE, SECOND, TestClock } from '../../src/lib/clock.js';
import { csrfTokenOf, TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, listen, type Listening, type TestContext } from '../support/app.js';
import { makeAccount, makeInsurer, makeMember } from '../support/factories.js';
import { identityFields, latestCode, reachCodeStep, submitIdentity } from '../support/member-flows.js';
import { createReaders } from '../support/readers.js';
import { writeRaceRegistry } from '../support/registry.js';
import { addStaff } from '../support/staff-flows.js';

/*
 * Fifty requests at once where one is expected: the answers may differ, the
 * database may not. better-sqlite3 is synchronous, so the interleavings that
 * matter are those around awaits (argon2, session store): each test gives
 * them every chance by sending all fifty before any answer comes back.
 */

const N = 50;

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

describe('concurrent signup completions', () => {
  it('50 submissions of the right code from one session create exactly one account and one confirmation mail', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = newAgent();
    await reachCodeStep(agent, insurer, member, { loginId: 'race-one', email: 'race-one@example.com' });
    const code = await latestCode(ctx, 'race-one@example.com');
    const token = csrfTokenOf((await agent.get('/portal/signup/verify')).text);

    const answers = await Promise.all(
      Array.from({ length: N }, () => agent.http.post('/portal/signup/verify').type('form').send({ _csrf: token, code })),
    );

    expect(answers.filter((r) => r.status === 303 && r.headers.location === '/portal/signup/done')).not.toHaveLength(0);
    for (const res of answers) {
      expect(res.status).toBeLessThan(500);
      if (res.status !== 303) expect(visibleText(res.text)).toContain('今年度の初回登録がすでに完了しています');
    }
    expect(ctx.readers.count('accounts', 'member_id = ?', member.id)).toBe(1);
    expect(ctx.readers.count('signup_registrations', 'member_id = ? AND completed_at IS NOT NULL', member.id)).toBe(1);
    expect(ctx.readers.count('email_codes', 'member_id = ? AND consumed_at IS NOT NULL', member.id)).toBe(1);
    expect(ctx.readers.count('outbox', "kind = 'signup_done' AND member_id = ?", member.id)).toBe(1);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === 'race-one@example.com' && m.subject.includes('登録完了のお知らせ'))).toHaveLength(1);
  });

  it('50 browsers of the same member submitting the same right code at once create exactly one account', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    // Fifty sessions pass the identity check of the same member; one of them sets the account up.
    const agents = Array.from({ length: N }, () => newAgent());
    for (const agent of agents) {
      const res = await submitIdentity(agent, identityFields(insurer, member));
      expect(res.headers.location).toBe('/portal/signup/account');
    }
    await reachCodeStep(agents[0]!, insurer, member, { loginId: 'race-many', email: 'race-many@example.com' });
    const code = await latestCode(ctx, 'race-many@example.com');
    const tokens = await Promise.all(agents.map(async (a) => csrfTokenOf((await a.get('/portal/signup/verify')).text)));

    const answers = await Promise.all(
      agents.map((a, i) => a.http.post('/portal/signup/verify').type('form').send({ _csrf: tokens[i], code })),
    );

    const done = answers.filter((r) => r.status === 303 && r.headers.location === '/portal/signup/done');
    expect(done).toHaveLength(1);
    for (const res of answers.filter((r) => !done.includes(r))) {
      expect(res.status).toBe(200);
      expect(visibleText(res.text)).toContain('今年度の初回登録がすでに完了しています');
    }
    expect(ctx.readers.count('accounts', 'member_id = ?', member.id)).toBe(1);
    expect(ctx.readers.count('signup_registrations', 'member_id = ? AND completed_at IS NOT NULL', member.id)).toBe(1);
    expect(ctx.readers.count('outbox', "kind = 'signup_done' AND member_id = ?", member.id)).toBe(1);
  });
});

describe('concurrent code resends', () => {
  it('50 resends at once send exactly one new code; the other 49 are told to wait', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = newAgent();
    await reachCodeStep(agent, insurer, member, { loginId: 'race-resend', email: 'race-resend@example.com' });
    ctx.clock.advance(61 * SECOND);
    const token = csrfTokenOf((await agent.get('/portal/signup/verify')).text);

    const answers = await Promise.all(
      Array.from({ length: N }, () => agent.http.post('/portal/signup/verify/resend').type('form').send({ _csrf: token })),
    );

    const resent = answers.filter((r) => r.status === 303 && r.headers.location === '/portal/signup/verify?resent=1');
    expect(resent).toHaveLength(1);
    // A refused resend goes back to the code page (post/redirect/get), which says why.
    const refused = answers.filter((r) => r.status === 303 && String(r.headers.location).startsWith('/portal/signup/verify?refused=soon'));
    expect(refused).toHaveLength(N - 1);
    expect(visibleText((await agent.get(refused[0]!.headers.location as string)).text)).toContain('認証コードの再送は1分に1回までです');
    expect(ctx.readers.count('email_codes', "member_id = ? AND purpose = 'signup'", member.id)).toBe(2);
    expect(ctx.readers.count('email_codes', "member_id = ? AND voided_at IS NULL AND consumed_at IS NULL", member.id)).toBe(1);
    expect(ctx.readers.count('outbox', "kind LIKE '%code%' AND member_id = ?", member.id)).toBe(2);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === 'race-resend@example.com' && m.subject.includes('認証コードのお知らせ'))).toHaveLength(2);
  });
});

describe('concurrent wrong passwords', () => {
  it('50 wrong member passwords at once count every failure and lock the account from the fifth', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const agent = newAgent();
    const token = csrfTokenOf((await agent.get('/portal/')).text);

    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        agent.http.post('/portal/login').type('form').send({ _csrf: token, loginId: account.loginId, password: `Wrong#pass${i}` }),
      ),
    );

    const texts = answers.map((r) => visibleText(r.text));
    expect(answers.every((r) => r.status === 401)).toBe(true);
    // Every answer is the generic refusal: a guesser never learns of the lock (nor that the ID exists).
    expect(texts.filter((t) => t.includes('ユーザーIDまたはパスワードが正しくありません'))).toHaveLength(N);
    expect(texts.filter((t) => t.includes('ログインを15分間停止しています'))).toHaveLength(0);
    const attempts = ctx.readers.loginAttempts(account.id);
    expect(attempts).toHaveLength(N);
    expect(attempts.every((a) => a.success === 0)).toBe(true);
    // The fifth locked it; every guess after it counted too, each keeping the 15 minutes running.
    const row = ctx.readers.account(account.id);
    expect(row.failed_logins).toBe(N);
    expect(row.locked_until).toBe(ctx.clock.now() + LOGIN_LOCK_MS);

    // Fifty failures from one address also pause that address (against password spraying);
    // 15 minutes later both the lock and the pause are over and the right password gets in.
    const during = await agent.http.post('/portal/login').type('form').send({ _csrf: token, loginId: account.loginId, password: account.password });
    expect(during.status).toBe(429);
    ctx.clock.advance(15 * MINUTE + SECOND);
    const after = await newAgent().submit('/portal/', { loginId: account.loginId, password: account.password }, '/portal/login');
    expect(after.status).toBe(303);
  }, 60_000);

  it('50 wrong staff passwords at once: the address cap (30) holds, those let through lock the staff account exactly once', async () => {
    await addStaff(ctx, 'race-staff', 'operator');
    const agent = newAgent();
    const token = csrfTokenOf((await agent.get('/staff/login')).text);

    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        agent.http.post('/staff/login').type('form').send({ _csrf: token, loginId: 'race-staff', password: `Wrong#pass${i}` }),
      ),
    );

    // The cap is reserved before any hashing: exactly 30 get the one refusal, the rest a pause.
    expect(answers.filter((r) => r.status === 401)).toHaveLength(STAFF_ADDRESS_FAILURE_LIMIT);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(N - STAFF_ADDRESS_FAILURE_LIMIT);
    const staff = ctx.db
      .prepare<[], { failed_logins: number; locked_at: number | null }>("SELECT failed_logins, locked_at FROM staff WHERE login_id = 'race-staff'")
      .get()!;
    // Failures that met the lock are recorded but no longer counted towards it.
    expect(staff.failed_logins).toBeGreaterThanOrEqual(5);
    expect(staff.locked_at).toBe(ctx.clock.now());
    const failures = ctx.readers.auditRows().filter((r) => r.action === 'signin_failed' && r.staff_login === 'race-staff');
    expect(failures).toHaveLength(STAFF_ADDRESS_FAILURE_LIMIT);
    expect(failures.filter((r) => r.detail?.includes('アカウントをロック'))).toHaveLength(1);
    expect(ctx.readers.count('attempts', "kind = 'staff_login' AND success = 0")).toBe(STAFF_ADDRESS_FAILURE_LIMIT);
  }, 60_000);
});

describe('concurrent registry imports', () => {
  it('two imports started together on one database do not interleave: one runs, the other is refused and changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-import-race-'));
    try {
      const file = path.join(dir, 'portal.db');
      const first = openDatabase(file);
      migrate(first);
      makeInsurer(first, ctx.clock, { code: 'racekenpo' });
      const second = openDatabase(file);
      const csvA = writeRaceRegistry(dir, 'a.csv', 3000, 'a.example.jp');
      const csvB = writeRaceRegistry(dir, 'b.csv', 3000, 'b.example.jp');
      const clock = new TestClock();

      const run = (db: typeof first, csv: string) => {
        const err: string[] = [];
        return runCli(['import-members', csv], { config: ctx.deps.config, db, clock, out: () => {}, err: (l) => err.push(l), interactive: false }).then(
          (code) => ({ code, err: err.join('\n') }),
        );
      };
      const [a, b] = await Promise.all([run(first, csvA), run(second, csvB)]);

      expect([a.code, b.code].sort()).toEqual([0, 1]);
      const refused = a.code === 1 ? a : b;
      expect(refused.err).toMatch(/another import is running.*nothing was imported/);
      const winner = a.code === 0 ? 'a.example.jp' : 'b.example.jp';
      expect(createReaders(first).emailDomainsOfSymbol77()).toEqual([{ domain: winner, n: 3000 }]);
      expect(first.prepare('SELECT count(*) FROM registry_import_lock').pluck().get()).toBe(0);

      // Run again once the first has finished, the refused import goes through whole.
      const again = await run(second, a.code === 1 ? csvA : csvB);
      expect(again.code).toBe(0);
      expect(createReaders(first).emailDomainsOfSymbol77()).toEqual([{ domain: a.code === 1 ? 'a.example.jp' : 'b.example.jp', n: 3000 }]);
      first.close();
      second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

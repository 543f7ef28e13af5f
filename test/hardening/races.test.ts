import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { LOGIN_LOCK_MS } from '../../src/features/login/service.js';
import { MINUTE, SECOND, TestClock } from '../../src/lib/clock.js';
import { csrfTokenOf, TestAgent, visibleText } from '../helpers/agent.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { makeInsurer, makeMember } from '../helpers/factories.js';
import { accountRow, loginAttempts, makeAccount } from '../login/factories.js';
import { countRows, identityFields, latestCode, reachCodeStep, submitIdentity } from '../signup/helpers.js';
import { addStaff, auditRows } from '../staff/helpers.js';
import { listen, type Listening } from './support/listen.js';
import { emailDomains, writeRegistry } from './support/registry.js';

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
    expect(countRows(ctx, 'accounts', 'member_id = ?', member.id)).toBe(1);
    expect(countRows(ctx, 'signup_registrations', 'member_id = ? AND completed_at IS NOT NULL', member.id)).toBe(1);
    expect(countRows(ctx, 'email_codes', 'member_id = ? AND consumed_at IS NOT NULL', member.id)).toBe(1);
    expect(countRows(ctx, 'outbox', "kind = 'signup_done' AND member_id = ?", member.id)).toBe(1);
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
    expect(countRows(ctx, 'accounts', 'member_id = ?', member.id)).toBe(1);
    expect(countRows(ctx, 'signup_registrations', 'member_id = ? AND completed_at IS NOT NULL', member.id)).toBe(1);
    expect(countRows(ctx, 'outbox', "kind = 'signup_done' AND member_id = ?", member.id)).toBe(1);
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
    // A refused resend redirects back to the code page with the reason (post/redirect/get).
    const refused = answers.filter((r) => r.status === 303 && /^\/portal\/signup\/verify\?refused=soon&retry=\d+$/.test(String(r.headers.location)));
    expect(refused).toHaveLength(N - 1);
    const page = await agent.get(String(refused[0]!.headers.location));
    expect(visibleText(page.text)).toContain('認証コードの再送は1分に1回までです');
    expect(countRows(ctx, 'email_codes', "member_id = ? AND purpose = 'signup'", member.id)).toBe(2);
    expect(countRows(ctx, 'email_codes', "member_id = ? AND voided_at IS NULL AND consumed_at IS NULL", member.id)).toBe(1);
    expect(countRows(ctx, 'outbox', "kind LIKE '%code%' AND member_id = ?", member.id)).toBe(2);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === 'race-resend@example.com' && m.subject.includes('認証コードのお知らせ'))).toHaveLength(2);
  });
});

describe('concurrent wrong passwords', () => {
  it('50 wrong member passwords at once count every failure and lock the account exactly once, at the fifth', async () => {
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
    const attempts = loginAttempts(ctx.db, account.id);
    expect(attempts).toHaveLength(N);
    expect(attempts.every((a) => a.success === 0)).toBe(true);
    const row = accountRow(ctx.db, account.id);
    expect(row.failed_logins).toBe(5);
    expect(row.locked_until).toBe(ctx.clock.now() + LOGIN_LOCK_MS);

    // Fifty failures from one address also pause that address (against password spraying);
    // 15 minutes later both the lock and the pause are over and the right password gets in.
    const during = await agent.http.post('/portal/login').type('form').send({ _csrf: token, loginId: account.loginId, password: account.password });
    expect(during.status).toBe(429);
    ctx.clock.advance(15 * MINUTE + SECOND);
    const after = await newAgent().submit('/portal/', { loginId: account.loginId, password: account.password }, '/portal/login');
    expect(after.status).toBe(303);
  }, 60_000);

  it('50 wrong staff passwords at once record all 50 failures and lock the staff account exactly once', async () => {
    await addStaff(ctx, 'race-staff', 'operator');
    const agent = newAgent();
    const token = csrfTokenOf((await agent.get('/staff/login')).text);

    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        agent.http.post('/staff/login').type('form').send({ _csrf: token, loginId: 'race-staff', password: `Wrong#pass${i}` }),
      ),
    );

    expect(answers.every((r) => r.status === 401 || r.status === 403)).toBe(true);
    const staff = ctx.db
      .prepare<[], { failed_logins: number; locked_at: number | null }>("SELECT failed_logins, locked_at FROM staff WHERE login_id = 'race-staff'")
      .get()!;
    // Failures that met the lock are recorded but no longer counted towards it.
    expect(staff.failed_logins).toBeGreaterThanOrEqual(5);
    expect(staff.locked_at).toBe(ctx.clock.now());
    const failures = auditRows(ctx).filter((r) => r.action === 'signin_failed' && r.staff_login === 'race-staff');
    expect(failures).toHaveLength(N);
    expect(failures.filter((r) => r.detail?.includes('アカウントをロック'))).toHaveLength(1);
    expect(countRows(ctx, 'attempts', "kind = 'staff_login' AND success = 0")).toBe(N);
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
      const csvA = writeRegistry(dir, 'a.csv', 3000, 'a.example.jp');
      const csvB = writeRegistry(dir, 'b.csv', 3000, 'b.example.jp');
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
      expect(emailDomains(first)).toEqual([{ domain: winner, n: 3000 }]);
      expect(first.prepare('SELECT count(*) FROM registry_import_lock').pluck().get()).toBe(0);

      // Run again once the first has finished, the refused import goes through whole.
      const again = await run(second, a.code === 1 ? csvA : csvB);
      expect(again.code).toBe(0);
      expect(emailDomains(first)).toEqual([{ domain: a.code === 1 ? 'a.example.jp' : 'b.example.jp', n: 3000 }]);
      first.close();
      second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

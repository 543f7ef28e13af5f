import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, visibleText } from '../support/agent.js';
import { cli, createTestContext, type TestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const identityOf = (a: { insurer: { code: string }; member: { symbol: string; number: string } }) => ({
  insurerCode: a.insurer.code, symbol: a.member.symbol, number: a.member.number,
  birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: 'ケンポ ショウコ',
});

describe('yearly reset (portal reset-accounts)', () => {
  it('closes every active account of the insurer, keeps them as history, ends their sessions, and prints how many', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const a = await makeAccount(ctx.db, ctx.clock, { insurer });
    const b = await makeAccount(ctx.db, ctx.clock, { insurer });
    const lastYear = await makeAccount(ctx.db, ctx.clock, { insurer, status: 'closed', closedReason: 'staff' });
    const elsewhere = await makeAccount(ctx.db, ctx.clock);
    acceptLatestTerms(ctx.db, ctx.clock, a);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, a.loginId, a.password);
    expect((await agent.get('/portal/mypage')).status).toBe(200);

    const run = await cli(ctx, ['reset-accounts', '--insurer', insurer.code.toUpperCase()]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`closed 2 active accounts of ${insurer.code}`);
    for (const id of [a.id, b.id]) {
      expect(ctx.readers.account(id)).toMatchObject({ status: 'closed', closed_reason: 'yearly_reset', closed_at: ctx.clock.now() });
    }
    expect(ctx.readers.account(lastYear.id).closed_reason).toBe('staff');
    expect(ctx.readers.account(elsewhere.id).status).toBe('active');
    expect(ctx.readers.sessionCount(a.id)).toBe(0);
    expect((await agent.get('/portal/mypage')).status).toBe(303);

    const again = await cli(ctx, ['reset-accounts', '--insurer', insurer.code]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing changed');
    expect(ctx.db.prepare("SELECT count(*) FROM accounts WHERE closed_reason = 'yearly_reset'").pluck().get()).toBe(2);

    // Both runs are in the audit log, the command line as the actor, with what they closed.
    const audit = ctx.db
      .prepare("SELECT staff_id, staff_login, client_ip, detail FROM audit_log WHERE action = 'yearly_reset' AND detail LIKE ? ORDER BY id")
      .all(`%${insurer.code}:%`);
    expect(audit).toEqual([
      { staff_id: null, staff_login: '(コマンド)', client_ip: 'cli', detail: `保険者 ${insurer.code}: 2件のアカウントを終了` },
      { staff_id: null, staff_login: '(コマンド)', client_ip: 'cli', detail: `保険者 ${insurer.code}: 0件のアカウントを終了` },
    ]);
  });

  it('tells last year’s member to register again, and lets them sign up and log in anew', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const old = await makeAccount(ctx.db, ctx.clock, { insurer, loginId: 'yearly01', password: 'Kenpo#2025x' });
    const before = await new TestAgent(ctx.app).submit('/portal/signup', identityOf(old));
    expect(before.status).toBe(200); // "already registered" page while the account is active
    expect(before.headers.location).toBeUndefined();

    expect((await cli(ctx, ['reset-accounts', '--insurer', insurer.code])).code).toBe(0);

    const told = await logIn(new TestAgent(ctx.app), 'YEARLY01', 'Kenpo#2025x');
    expect(visibleText(told.text)).toContain('昨年度のユーザーID・パスワードは、年度替わりにリセットされています。今年度はじめてご利用の方は、初回登録画面から改めて登録してください');
    expect(told.text).toContain('href="/portal/signup"');

    // The identity check of signup now goes on to step 2 for this member.
    const signup = await new TestAgent(ctx.app).submit('/portal/signup', identityOf(old));
    expect(signup).toRedirectTo('/portal/signup/account');

    // A new account for the same member (even with the same ID) can exist beside the closed one.
    const renewed = await makeAccount(ctx.db, ctx.clock, { insurer, member: old.member, loginId: 'yearly01', password: 'Kenpo#2026x' });
    acceptLatestTerms(ctx.db, ctx.clock, renewed);
    expect((await logIn(new TestAgent(ctx.app), 'yearly01', 'Kenpo#2026x')).status).toBe(303);
    expect(ctx.readers.account(old.id).status).toBe('closed');
  });

  it('refuses an unknown insurer or a missing option, changing nothing', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const unknown = await cli(ctx, ['reset-accounts', '--insurer', 'no-such']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no insurer with code "no-such"');
    const missing = await cli(ctx, ['reset-accounts']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('--insurer is required');
    expect(ctx.readers.account(account.id).status).toBe('active');
  });
});

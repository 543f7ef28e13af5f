import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { csrfTokenOf, TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, latestCode, reachCodeStep, submitIdentity } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: Insurer;
beforeEach(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock);
});
afterEach(() => ctx.close());

describe('double submits', () => {
  it('creates exactly one account when two tabs submit the right code at once', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, member, { loginId: 'two-tabs', email: 'tabs@example.com' });
    const code = await latestCode(ctx, 'tabs@example.com');
    const page = await agent.get('/portal/signup/verify');
    const token = csrfTokenOf(page.text);

    const [a, b] = await Promise.all(
      [1, 2].map(() => agent.http.post('/portal/signup/verify').type('form').send({ _csrf: token, code })),
    );
    // Both tabs end on a page saying the signup is done (the loser either saw the winner's
    // session and goes to the completion page, or is told the registration already exists).
    for (const res of [a!, b!]) {
      if (res.status === 303) expect(res.headers.location).toBe('/portal/signup/done');
      else {
        expect(res.status).toBe(200);
        expect(visibleText(res.text)).toContain('今年度の初回登録がすでに完了しています');
      }
    }
    expect(visibleText((await agent.get('/portal/signup/done')).text)).toContain('登録が完了しました');

    expect(ctx.readers.count('accounts', 'member_id = ?', member.id)).toBe(1);
    expect(ctx.readers.count('signup_registrations', 'completed_at IS NOT NULL')).toBe(1);
    expect(ctx.readers.count('outbox', "kind = 'signup_done'")).toBe(1);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.subject.includes('登録完了のお知らせ'))).toHaveLength(1);
  });

  it('creates one account when the member signs up in two browsers, the second being told it is done', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const first = new TestAgent(ctx.app);
    const second = new TestAgent(ctx.app);
    await submitIdentity(second, identityFields(insurer, member));
    await second.get('/portal/signup/account'); // the form is open in the second browser
    await reachCodeStep(first, insurer, member, { loginId: 'browser-one', email: 'one@example.com' });
    await first.submit('/portal/signup/verify', { code: await latestCode(ctx, 'one@example.com') });

    const late = await second.post('/portal/signup/account', {
      loginId: 'browser-two', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'two@example.com', emailConfirm: 'two@example.com',
    });
    expect(late.status).toBe(200);
    expect(visibleText(late.text)).toContain('今年度の初回登録がすでに完了しています');
    expect(ctx.readers.count('accounts', 'member_id = ?', member.id)).toBe(1);
    expect(ctx.readers.count('signup_registrations', "login_id = 'browser-two'")).toBe(0);
    // The session no longer carries the identity: reloading step 2 starts over.
    expect((await second.get('/portal/signup/account')).headers.location).toBe('/portal/signup?reason=start');
  });

  it('gives a login ID chosen by two members at the same moment to only one of them', async () => {
    const one = makeMember(ctx.db, ctx.clock, insurer);
    const two = makeMember(ctx.db, ctx.clock, insurer, { nameKana: 'ホケン タロウ' });
    const agents = [new TestAgent(ctx.app), new TestAgent(ctx.app)];
    await submitIdentity(agents[0]!, identityFields(insurer, one));
    await submitIdentity(agents[1]!, identityFields(insurer, two));
    const pages = await Promise.all(agents.map((a) => a.get('/portal/signup/account')));
    const results = await Promise.all(
      agents.map((a, i) =>
        a.http.post('/portal/signup/account').type('form').send({
          _csrf: csrfTokenOf(pages[i]!.text), loginId: 'same.name', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD,
          email: `m${i}@example.com`, emailConfirm: `m${i}@example.com`,
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
    expect(visibleText(results.find((r) => r.status === 400)!.text)).toContain('このユーザーIDはすでに使われています');
    expect(ctx.readers.count('signup_registrations', "login_id = 'same.name'")).toBe(1);
  });

  it('refuses at completion a login ID that someone took after step 2, asking for another', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const other = makeMember(ctx.db, ctx.clock, insurer, { nameKana: 'ホケン タロウ' });
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, member, { loginId: 'contested', email: 'c@example.com' });
    // E.g. an operator's data fix or another server: an active account now holds the ID.
    makeAccountRow(ctx.db, { memberId: other.id, loginId: 'CONTESTED', email: 'o@example.com', at: ctx.clock.now() });
    const res = await agent.submit('/portal/signup/verify', { code: await latestCode(ctx, 'c@example.com') });
    expect(res).toRedirectTo('/portal/signup/account?reason=taken');
    const page = await agent.get(res.headers.location as string);
    expect(visibleText(page.text)).toContain('別のユーザーIDで設定し直してください');
    expect(ctx.readers.count('accounts', 'member_id = ?', member.id)).toBe(0);
  });
});

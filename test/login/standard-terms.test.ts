import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInsurerByCode } from '../../src/features/registry/insurers.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, cli, createTestContext } from '../support/app.js';
import { makeAccount, publishTerms } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('a society added with `portal insurer add` and no terms of its own', () => {
  it('still shows terms at first login: the portal\u2019s standard terms with the society\u2019s name', async () => {
    expect((await cli(ctx, ['insurer', 'add', '--code', 'stdterms', '--name', 'スタンダード健康保険組合'])).code).toBe(0);
    const insurer = findInsurerByCode(ctx.db, 'stdterms')!;
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const agent = new TestAgent(ctx.app);
    const login = await logIn(agent, account.loginId, account.password);
    expect(login.headers.location).toBe('/portal/mypage');
    const mypage = await agent.get('/portal/mypage');
    expect(mypage.headers.location).toBe('/portal/terms');
    const text = visibleText((await agent.get('/portal/terms')).text);
    expect(text).toContain('スタンダード健康保険組合（以下「当組合」といいます。）');
    expect(text).toContain('利用規約に同意する');
  });

  it('shows the society\u2019s own terms, once published, as the next version to accept', async () => {
    const insurer = findInsurerByCode(ctx.db, 'stdterms')!;
    publishTerms(ctx.db, ctx.clock, insurer, '# 利用規約\n\n当組合独自の規約です。');
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    const text = visibleText((await agent.get('/portal/terms')).text);
    expect(text).toContain('当組合独自の規約です。');
    expect(text).not.toContain('（以下「当組合」といいます。）');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccount, makeInsurer, publishTerms } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const acceptances = (accountId: number) =>
  ctx.db
    .prepare(
      `SELECT v.version, a.accepted_at, a.client_ip FROM terms_acceptances a JOIN terms_versions v ON v.id = a.terms_version_id
       WHERE a.account_id = ? ORDER BY v.version`,
    )
    .all(accountId) as { version: number; accepted_at: number; client_ip: string }[];

async function memberWithTerms(markdown?: string) {
  const insurer = makeInsurer(ctx.db, ctx.clock);
  publishTerms(ctx.db, ctx.clock, insurer, markdown);
  const account = await makeAccount(ctx.db, ctx.clock, { insurer });
  const agent = new TestAgent(ctx.app);
  await logIn(agent, account.loginId, account.password);
  return { insurer, account, agent };
}

describe('terms of use', () => {
  it('leads a first login to the terms: text, 利用規約に同意する and 次へ', async () => {
    const { agent } = await memberWithTerms('# 加入者ポータル利用規約\n\n## 第1条（目的）\n\n本サービスは…\n\n1. 一つ目\n2. 二つ目');
    const mypage = await agent.get('/portal/mypage');
    expect(mypage).toRedirectTo('/portal/terms');
    const page = await agent.get('/portal/terms');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h3>第1条（目的）</h3>');
    expect(page.text).toContain('<ol>');
    expect(page.text).toContain('name="agree"');
    expect(visibleText(page.text)).toContain('利用規約に同意する');
    expect(visibleText(page.text)).toContain('次へ');
  });

  it('keeps raw HTML in the Markdown as text and drops javascript: links', async () => {
    const { agent } = await memberWithTerms('# 規約\n\n<script>alert(1)</script>\n\n<b onclick="x()">太字</b> [リンク](javascript:alert(1)) https://example.jp/');
    const page = await agent.get('/portal/terms');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<b onclick');
    expect(page.text).not.toContain('href="javascript:');
    expect(page.text).toContain('<a href="https://example.jp/">');
  });

  it('refuses to go on when the box is not ticked, and records nothing', async () => {
    const { agent, account } = await memberWithTerms();
    await agent.get('/portal/terms');
    const form = /name="version" value="(\d+)"/.exec(agent.lastPage)!;
    const res = await agent.post('/portal/terms', { version: form[1]! });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('「利用規約に同意する」にチェックを入れてください');
    expect(acceptances(account.id)).toEqual([]);
    expect((await agent.get('/portal/mypage')).headers.location).toBe('/portal/terms');
  });

  it('records the acceptance (version, time, address) and opens my page, then skips the terms at the next login', async () => {
    const { agent, account } = await memberWithTerms();
    await agent.get('/portal/terms');
    const version = /name="version" value="(\d+)"/.exec(agent.lastPage)![1]!;
    const res = await agent.post('/portal/terms', { agree: '1', version });
    expect(res).toRedirectTo('/portal/mypage');
    expect(acceptances(account.id)).toEqual([{ version: 1, accepted_at: ctx.clock.now(), client_ip: expect.stringContaining('127.0.0.1') }]);
    expect((await agent.get('/portal/mypage')).status).toBe(200);

    const again = new TestAgent(ctx.app);
    const login = await logIn(again, account.loginId, account.password);
    expect(login.headers.location).toBe('/portal/mypage');
    expect((await again.get('/portal/mypage')).status).toBe(200);
  });

  it('shows a newly published version once more, keeping the earlier acceptance', async () => {
    const { agent, account, insurer } = await memberWithTerms();
    await agent.get('/portal/terms');
    await agent.post('/portal/terms', { agree: '1', version: /name="version" value="(\d+)"/.exec(agent.lastPage)![1]! });
    publishTerms(ctx.db, ctx.clock, insurer, '# 利用規約\n\n第2版の本文');
    const mypage = await agent.get('/portal/mypage');
    expect(mypage.headers.location).toBe('/portal/terms');
    const page = await agent.get('/portal/terms');
    expect(visibleText(page.text)).toContain('第2版');
    await agent.post('/portal/terms', { agree: '1', version: /name="version" value="(\d+)"/.exec(page.text)![1]! });
    expect(acceptances(account.id).map((a) => a.version)).toEqual([1, 2]);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
  });

  it('opens my page directly when the insurer has no terms', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    expect((await agent.get('/portal/mypage')).status).toBe(200);
  });

  it('shows accepted terms read-only, with the date of acceptance', async () => {
    const { agent } = await memberWithTerms();
    await agent.get('/portal/terms');
    await agent.post('/portal/terms', { agree: '1', version: /name="version" value="(\d+)"/.exec(agent.lastPage)![1]! });
    const page = await agent.get('/portal/terms');
    expect(page.text).not.toContain('name="agree"');
    expect(visibleText(page.text)).toContain('に同意いただいています');
  });

  it('refuses another insurer’s version or a malformed one, recording nothing', async () => {
    const { agent, account } = await memberWithTerms();
    const other = makeInsurer(ctx.db, ctx.clock);
    const foreign = publishTerms(ctx.db, ctx.clock, other);
    await agent.get('/portal/terms');
    expect((await agent.post('/portal/terms', { agree: '1', version: String(foreign) })).status).toBe(400);
    await agent.get('/portal/terms');
    expect((await agent.post('/portal/terms', { agree: ['1', '1'], version: ['1', '2'] })).status).toBe(400);
    await agent.get('/portal/terms');
    expect((await agent.post('/portal/terms', { agree: '1', version: '99999999999999999999' })).status).toBe(400);
    expect(acceptances(account.id)).toEqual([]);
  });

  it('refuses an acceptance without the CSRF token (403) and records nothing', async () => {
    const { agent, account } = await memberWithTerms();
    await agent.get('/portal/terms');
    const version = /name="version" value="(\d+)"/.exec(agent.lastPage)![1]!;
    const res = await agent.post('/portal/terms', { agree: '1', version, _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(acceptances(account.id)).toEqual([]);
  });

  it('sends a visitor who is not signed in to the login page', async () => {
    const res = await new TestAgent(ctx.app).get('/portal/terms');
    expect(res).toRedirectTo('/portal/?next=%2Fportal%2Fterms');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoticeService } from '../../src/features/notices/service.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer, makeMember } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function myPage(o: { status?: 'active' | 'lost'; notices?: { title: string; body: string }[] } = {}) {
  const insurer = makeInsurer(ctx.db, ctx.clock, { name: '概要健康保険組合' });
  const member = makeMember(ctx.db, ctx.clock, insurer, { symbol: '0012', number: '３４', status: o.status ?? 'active' });
  for (const n of o.notices ?? []) createNoticeService(ctx).add({ insurerId: insurer.id, ...n, untilDate: null });
  const account = await makeAccount(ctx.db, ctx.clock, { insurer, member });
  acceptLatestTerms(ctx.db, ctx.clock, account);
  const agent = new TestAgent(ctx.app);
  await logIn(agent, account.loginId, account.password);
  const res = await agent.get('/portal/mypage');
  expect(res.status).toBe(200);
  return res.text;
}

describe('my page: the member\u2019s insurance', () => {
  it('shows the society, the member\u2019s own 記号・番号 and that they are insured', async () => {
    const text = visibleText(await myPage());
    expect(text).toContain('ご加入の健康保険 健康保険組合 概要健康保険組合 記号 12 番号 34 資格 加入中');
  });

  it('says so, and what to do, when the registry records the member as 資格喪失', async () => {
    const text = visibleText(await myPage({ status: 'lost' }));
    expect(text).toContain('資格 資格喪失');
    expect(text).toContain('転職などで新しい健康保険に加入された方は、加入先へお問い合わせください');
  });

  it('has one partial per card, in the order notices, insurance, account', async () => {
    const html = await myPage();
    const order = ['notices-heading', 'insurance-heading', 'account-heading'].map((id) => html.indexOf(`id="${id}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('my page: the society in the header', () => {
  it('stays the member\u2019s own, whatever society a link names', async () => {
    const other = makeInsurer(ctx.db, ctx.clock, { name: 'よその健康保険組合' });
    const insurer = makeInsurer(ctx.db, ctx.clock, { name: '自分の健康保険組合' });
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    const text = visibleText((await agent.get(`/portal/mypage?insurer=${other.code}`)).text);
    expect(text).toContain('自分の健康保険組合');
    expect(text).not.toContain('よその健康保険組合');
  });
});

describe('my page: notices in limited Markdown', () => {
  it('renders links, emphasis, lists and line breaks, and shows raw HTML as text', async () => {
    const html = await myPage({
      notices: [{
        title: 'リンクのお知らせ',
        body: [
          '健診の予約は[予約サイト](https://kenshin.example.jp/yoyaku)から。**締切は6月30日**です。',
          '詳しくは https://www.example.jp/ をご覧ください。',
          '',
          '- 持ち物：保険証',
          '- 受付：9時から',
          '',
          '<script>alert(1)</script><img src=x onerror=alert(1)> [危険](javascript:alert(1))',
        ].join('\n'),
      }],
    });
    const body = /<div class="notice-list__body">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(body).toContain('<a href="https://kenshin.example.jp/yoyaku" rel="noopener noreferrer">予約サイト</a>');
    expect(body).toContain('<strong>締切は6月30日</strong>');
    expect(body).toContain('<a href="https://www.example.jp/" rel="noopener noreferrer">https://www.example.jp/</a>');
    expect(body).toContain('<br>');
    expect(body).toMatch(/<ul>\s*<li>持ち物：保険証<\/li>/);
    expect(body).not.toMatch(/<script|<img|href="javascript:/i);
    expect(body).toContain('&lt;script&gt;');
  });
});

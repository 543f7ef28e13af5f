import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, cli, createTestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { identityFields } from '../support/member-flows.js';

// Two societies: nothing is filled in unless the link names one.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const codeValue = (html: string) => /<input[^>]*name="insurerCode"[^>]*>/.exec(html)?.[0].match(/value="([^"]*)"/)?.[1];

describe('the 保険者指定コード on the identity page (several societies)', () => {
  let a: ReturnType<typeof makeInsurer>;
  beforeAll(async () => {
    a = makeInsurer(ctx.db, ctx.clock, { name: 'エー健康保険組合' });
    makeInsurer(ctx.db, ctx.clock, { name: 'ビー健康保険組合' });
    expect((await cli(ctx, ['insurer', 'update', '--code', a.code, '--insurer-number', '06139999'])).code).toBe(0);
  });

  it('is empty without a link, and the page names no society', async () => {
    const html = (await new TestAgent(ctx.app).get('/portal/signup')).text;
    expect(codeValue(html)).toBeUndefined();
    expect(visibleText(html)).not.toContain('エー健康保険組合');
  });

  it('is filled in from /portal/signup?insurer=CODE (any case or width), with the society named and its QR code carrying the code', async () => {
    for (const typed of [a.code, a.code.toUpperCase(), '06139999']) {
      const html = (await new TestAgent(ctx.app).get(`/portal/signup?insurer=${encodeURIComponent(typed)}`)).text;
      expect(codeValue(html), typed).toBe(a.code);
      const text = visibleText(html);
      expect(text).toContain('エー健康保険組合');
      expect(text).toContain(`http://127.0.0.1/portal/signup?insurer=${a.code}`);
      expect(html).toContain('href="tel:0120111222"');
    }
  });

  it('ignores a link to a society that does not exist', async () => {
    const html = (await new TestAgent(ctx.app).get('/portal/signup?insurer=nosuch')).text;
    expect(codeValue(html)).toBeUndefined();
  });

  it('accepts the 8-digit 保険者番号 typed in the code field as the society\u2019s code', async () => {
    const member = makeMember(ctx.db, ctx.clock, a);
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    const res = await agent.post('/portal/signup', identityFields(a, member, { insurerCode: '０６１３９９９９' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/signup/account');
  });

  it('hints where the code is printed and that it is not the 保険者番号', async () => {
    const text = visibleText((await new TestAgent(ctx.app).get('/portal/signup')).text);
    expect(text).toContain('健康保険組合からの「加入者ポータルのご案内」に記載の英数字です。保険証などの「保険者番号」（8桁の数字）とは異なります。');
  });
});

describe('a single-society deployment', () => {
  it('fills the code in by itself, on signup and on the forgotten-ID page', async () => {
    const solo = await createTestContext();
    try {
      const only = makeInsurer(solo.db, solo.clock);
      expect(codeValue((await new TestAgent(solo.app).get('/portal/signup')).text)).toBe(only.code);
      expect(codeValue((await new TestAgent(solo.app).get('/portal/userid/forgot')).text)).toBe(only.code);
    } finally {
      await solo.close();
    }
  });
});

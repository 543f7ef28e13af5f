import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { keptPageCount } from '../../src/http/page-cache.js';
import { SECOND } from '../../src/lib/clock.js';
import { csrfTokenOf, TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer } from '../support/factories.js';
import { listen } from '../support/app.js';

/**
 * The login page and the empty signup form are kept rendered (src/http/page-cache.ts) and the
 * insurer of the layout is kept in memory: what each visitor sees must still be their own
 * token and the society's current name and year options.
 */
let ctx: TestContext;
let insurer: Insurer;
beforeAll(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { name: 'キャッシュ確認健康保険組合' });
});
afterAll(() => ctx.close());

describe('pages kept rendered', () => {
  for (const path of ['/portal/', '/portal/signup']) {
    it(`${path}: each visitor gets a token of their own, which works for them only`, async () => {
      const a = new TestAgent(ctx.app);
      const b = new TestAgent(ctx.app);
      const pageA = await a.get(path);
      const pageB = await b.get(path);
      expect(pageA.status).toBe(200);
      const [tokenA, tokenB] = [csrfTokenOf(pageA.text), csrfTokenOf(pageB.text)];
      expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(tokenB).not.toBe(tokenA);
      // Apart from the token, the two pages are the same.
      expect(pageB.text.replace(tokenB, 'TOKEN')).toBe(pageA.text.replace(tokenA, 'TOKEN'));

      const login = { loginId: 'nobody-here', password: 'Wrong#pass1' };
      expect((await a.post('/portal/login', { ...login, _csrf: tokenB })).status).toBe(403);
      expect((await a.post('/portal/login', { ...login, _csrf: tokenA })).status).toBe(401);
    });
  }

  it("shows a society's new name once it is changed behind the server's back (another process), within a second", async () => {
    const before = visibleText((await new TestAgent(ctx.app).get('/portal/')).text);
    expect(before).toContain('キャッシュ確認健康保険組合');
    ctx.db.prepare('UPDATE insurers SET name = ? WHERE id = ?').run('改称後健康保険組合', insurer.id);
    ctx.clock.advance(SECOND);
    for (const path of ['/portal/', '/portal/signup']) {
      const text = visibleText((await new TestAgent(ctx.app).get(path)).text);
      expect(text).toContain('改称後健康保険組合');
      expect(text).not.toContain('キャッシュ確認健康保険組合');
    }
  });

  it('keeps one page per route however the URL is spelled (Express ignores case): 2,048 spellings add nothing', async () => {
    await new TestAgent(ctx.app).get('/portal/');
    await new TestAgent(ctx.app).get('/portal/signup');
    const kept = keptPageCount(ctx.app);
    expect(kept).toBeGreaterThan(0);
    const web = await listen(ctx.app);
    const agent = new TestAgent(web.server);
    const word = 'signup';
    for (let n = 0; n < 2048; n++) {
      // Every upper/lower-case mix of "portal/signup" (2^11 of them), some with a trailing slash.
      const letters = `portal${word}`.split('').map((c, i) => ((n >> i) & 1 ? c.toUpperCase() : c));
      const path = `/${letters.slice(0, 6).join('')}/${letters.slice(6).join('')}${n % 3 === 0 ? '/' : ''}`;
      const res = await agent.get(path);
      expect(res.status).toBe(200);
    }
    await web.close();
    expect(keptPageCount(ctx.app)).toBe(kept);
  }, 180_000);

  it('adds the new year to the birth-year pulldown when the year turns (Japan time)', async () => {
    ctx.clock.set(Date.parse('2031-12-31T14:59:00Z')); // 23:59 on 31 December in Japan
    const december = (await new TestAgent(ctx.app).get('/portal/signup')).text;
    // The list starts at the youngest a member can be: this year − 15.
    expect(december).toContain('value="2016"');
    expect(december).not.toContain('value="2017"');
    ctx.clock.advance(60 * SECOND);
    const january = (await new TestAgent(ctx.app).get('/portal/signup')).text;
    expect(january).toContain('value="2017"');
    expect(visibleText(january)).toContain('2017（平成29）年');
  });
});

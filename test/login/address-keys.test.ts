import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, csrfTokenOf, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeAccount, makeInsurer } from '../support/factories.js';

/*
 * Behind a proxy (TRUST_PROXY) the client address comes from X-Forwarded-For. Every
 * per-address limit counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4,
 * so picking fresh addresses from one's own network or spelling the address differently
 * passes no cap.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ TRUST_PROXY: 'true' });
  makeInsurer(ctx.db, ctx.clock);
});
afterAll(() => ctx.close());

async function loginFrom(ip: string, loginId: string) {
  const agent = new TestAgent(ctx.app);
  const token = csrfTokenOf((await agent.http.get('/portal/').set('X-Forwarded-For', ip)).text);
  return agent.http.post('/portal/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, loginId, password: 'Wrong#pass1' });
}

describe('per-address keys', () => {
  it('counts 50 failures from 50 addresses of one IPv6 /64 as one address', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    for (let i = 1; i <= 50; i++) {
      const res = await loginFrom(`2001:db8:aaaa:1::${i.toString(16)}`, account.loginId);
      expect(res.status).toBe(401);
    }
    const sameNetwork = await loginFrom('2001:db8:aaaa:1:dead:beef:0:1', account.loginId);
    expect(sameNetwork.status).toBe(429);
    expect(visibleText(sameNetwork.text)).toContain('一時的にログインを受け付けていません');
    expect((await loginFrom('2001:db8:aaaa:2::1', account.loginId)).status).toBe(401);
    expect(ctx.db.prepare("SELECT DISTINCT address_key FROM attempts WHERE client_ip LIKE '2001:db8:aaaa:1:%'").pluck().all()).toEqual(['2001:db8:aaaa:1::/64']);
  }, 60_000);

  it('counts an IPv4-mapped IPv6 address as the IPv4 address it carries', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    for (let i = 0; i < 50; i++) ctx.deps.services.attempts.record({ kind: 'login', success: false, clientIp: '::ffff:198.51.100.7' });
    expect((await loginFrom('198.51.100.7', account.loginId)).status).toBe(429);
    expect((await loginFrom('198.51.100.8', account.loginId)).status).toBe(401);
  });
});

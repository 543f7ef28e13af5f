import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { addStaff, newSignedInStaff, type SignedIn } from '../support/staff-flows.js';

let ctx: TestContext;
let sv: SignedIn;
let memberId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  const insurer = makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa' });
  memberId = makeMember(ctx.db, ctx.clock, insurer).id;
  sv = await newSignedInStaff(ctx, 'sv-fuzz', 'supervisor');
});
afterAll(() => ctx.close());

const big = 'ア'.repeat(100_000);
const bodies: Record<string, string | string[]>[] = [
  {},
  { loginId: ['a', 'b'], password: ['x', 'y'], code: ['1', '2'], reason: ['a', 'b'] },
  { insurerCode: ['kenpoa', 'x'], symbol: ['1'], number: ['2', '3'], nameKana: ['ア', 'イ'], birthYear: ['1985', '1'], birthMonth: 'x', birthDay: '' },
  { newPassword: ['A', 'B'], newPasswordConfirm: 'A', reason: '\u0000\u0001' },
  { loginId: 'x'.repeat(60), password: 'p'.repeat(200), code: '１２３４５６７８', nameKana: 'ア'.repeat(60), birthYear: '99999', reason: 'r'.repeat(600) },
  { '__proto__': 'x', constructor: 'y', symbol: '\u202e1', number: '\ud800' },
  { staffLoginId: ['a', 'b'], role: ['operator', 'supervisor'], insurerCodes: Array(60).fill('kenpoa'), registryEmail: ['a@example.jp', 'b@example.jp'], reason: 'r' },
  { staffLoginId: 'ok-login', role: 'admin', insurerCodes: 'x'.repeat(60), registryEmail: '＠'.repeat(300), reason: 'r' },
];

describe('malformed input never causes a server error', () => {
  it('signed in: every POST answers below 500 with arrays, missing fields, control characters and long values', async () => {
    const paths = [
      '/staff/search/card',
      '/staff/search/kana',
      `/staff/members/${memberId}/userid-reminder`,
      `/staff/members/${memberId}/unlock`,
      `/staff/members/${memberId}/close`,
      '/staff/members/abc/unlock',
      '/staff/members/0/close',
      '/staff/team/abc/unlock',
      '/staff/team/1/unlock',
      `/staff/members/${memberId}/email`,
      `/staff/members/${memberId}/registry-email`,
      '/staff/members/abc/registry-email',
      '/staff/team',
      '/staff/team/99999/reset-password',
      '/staff/team/abc/reset-authenticator',
      '/staff/team/99999/disable',
      '/staff/team/0/enable',
    ];
    for (const path of paths) {
      for (const body of bodies) {
        await sv.agent.get('/staff/');
        const res = await sv.agent.post(path, body);
        expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBeLessThan(500);
      }
    }
    expect(ctx.db.prepare("SELECT count(*) FROM accounts WHERE status = 'closed'").pluck().get()).toBe(0);
  });

  it('the sign-in forms answer below 500 to the same bodies, at every stage', async () => {
    const password = await addStaff(ctx, 'fuzz-op', 'operator');
    for (const body of bodies) {
      const agent = new TestAgent(ctx.app);
      let res = await agent.submit('/staff/login', body);
      expect(res.status).toBeLessThan(500);
      res = await agent.submit('/staff/login', { loginId: 'fuzz-op', password });
      expect(res.headers.location).toBe('/staff/login/password');
      res = await agent.submit('/staff/login/password', body);
      expect(res.status).toBeLessThan(500);
      for (const path of ['/staff/login/code', '/staff/login/enrol']) {
        res = await agent.post(path, body);
        expect(res.status, path).toBeLessThan(500);
      }
    }
    // None of those bodies counted as a guessed code or password beyond the rules.
    expect(ctx.db.prepare("SELECT must_change_password FROM staff WHERE login_id = 'fuzz-op'").pluck().get()).toBe(1);
  });

  it('a 100 kB field is refused as too large, not a crash', async () => {
    await sv.agent.get('/staff/');
    for (const path of ['/staff/login', '/staff/search/kana', `/staff/members/${memberId}/userid-reminder`]) {
      const res = await sv.agent.post(path, { nameKana: big, reason: big, loginId: big });
      expect(res.status, path).toBe(413);
    }
  });

  it('odd paths and queries answer 404 or 400, never 500', async () => {
    for (const path of [
      '/staff/members/',
      '/staff/members/%00',
      '/staff/members/1%2F2',
      '/staff/members/%E0%A4%A',
      '/staff/nothing-here',
      '/staff/audit?page=1&page=2',
      '/staff/audit/csv?memberId=%00',
      `/staff/audit?staff=${encodeURIComponent(big.slice(0, 2000))}`,
    ]) {
      const res = await sv.agent.get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    // Keys the form does not know are ignored.
    expect((await sv.agent.get('/staff/audit?from[]=x&__proto__=1')).status).toBe(200);
  });

  it('without a session every console page leads to the sign-in page', async () => {
    for (const path of ['/staff/', `/staff/members/${memberId}`, '/staff/audit', '/staff/audit/csv', '/staff/team', '/staff/nothing']) {
      const res = await request(ctx.app).get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.location).toBe('/staff/login');
    }
  });
});

describe('the log after all of that', () => {
  it('holds no unhandled error', () => {
    expect(ctx.logs.filter((l) => l.includes('unhandled error'))).toEqual([]);
  });
});

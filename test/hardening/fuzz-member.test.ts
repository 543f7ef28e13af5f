import { afterAll, beforeAll, describe } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { createTestContext, listen, type Listening, type TestContext } from '../support/app.js';
import { makeInsurer, publishTerms } from '../support/factories.js';
import { fuzzBudget, MEMBER_SHARE, splitBudget } from '../support/fuzz/bodies.js';
import { type FormTarget, type FuzzState, FuzzStats, fuzzTests, type QueryTarget, sentEveryPlannedRequestTest, watchUnhandledRejections } from '../support/fuzz/runner.js';
import { sessionMaker, type SessionMaker } from '../support/sessions.js';

/*
 * Every form of the member side gets hostile posts WITH a valid CSRF token, so
 * each reaches its handler: wrong types, arrays, `a[b]` keys, 1 MB values,
 * control characters, broken percent-escapes, SQL and markup, kana of every
 * width, emoji. FUZZ_REQUESTS (default 10,000) is shared with fuzz-staff.test.ts.
 */

let ctx: TestContext;
let web: Listening;
let insurer: Insurer;
const stats = new FuzzStats();
const rejections = watchUnhandledRejections();

beforeAll(async () => {
  // TRUST_PROXY lets each fuzzed form post from its own address (X-Forwarded-For), so the
  // per-address throttles one form trips do not stop the set-up of the next.
  ctx = await createTestContext({ TRUST_PROXY: '1', LOG_LEVEL: 'warn' });
  web = await listen(ctx.app);
  insurer = makeInsurer(ctx.db, ctx.clock);
  publishTerms(ctx.db, ctx.clock, insurer);
  sessions = sessionMaker(ctx, web.server, insurer);
});
afterAll(async () => {
  rejections.stop();
  await web.close();
  await ctx.close();
});

let sessions: SessionMaker;
const from = (n: number) => ({ 'X-Forwarded-For': `198.51.100.${n}` });

async function anonymous(page: string, path: string, address: number): Promise<FuzzState> {
  return { agent: await sessions.anonymous(page), path, headers: from(address) };
}
const verifiedSignup = async (): Promise<FuzzState> => ({ agent: (await sessions.verifiedSignup()).agent, path: '/portal/signup/account' });
const atCodeStep = async (path: string): Promise<FuzzState> => ({ agent: (await sessions.atCodeStep()).agent, path });
const signedIn = async (page: string, path = page): Promise<FuzzState> => ({ agent: (await sessions.signedIn(page)).agent, path });
const pendingEmailChange = async (path: string): Promise<FuzzState> => ({ agent: (await sessions.pendingEmailChange()).agent, path });
const resetLink = async (): Promise<FuzzState> => {
  const { agent, path } = await sessions.resetLink();
  return { agent, path };
};

const location = (res: { headers: Record<string, unknown> }) => String(res.headers.location ?? '');
const signupRestarted = (res: { headers: Record<string, unknown> }) =>
  location(res).startsWith('/portal/signup?reason') || location(res).startsWith('/portal/signup/account?reason');
const signedOut = (res: { headers: Record<string, unknown> }) => location(res) === '/portal/' || location(res).startsWith('/portal/?next');

const IDENTITY = ['insurerCode', 'symbol', 'number', 'birthYear', 'birthMonth', 'birthDay', 'nameKana'];

const forms: FormTarget[] = [
  { name: 'POST /portal/signup', weight: 10, fields: IDENTITY, setup: () => anonymous('/portal/signup', '/portal/signup', 1) },
  {
    name: 'POST /portal/signup/account',
    weight: 8,
    fields: ['loginId', 'password', 'passwordConfirm', 'email', 'emailConfirm'],
    setup: verifiedSignup,
    lost: signupRestarted,
  },
  { name: 'POST /portal/signup/verify', weight: 8, fields: ['code'], setup: () => atCodeStep('/portal/signup/verify'), lost: signupRestarted },
  { name: 'POST /portal/signup/verify/resend', weight: 3, fields: [], setup: () => atCodeStep('/portal/signup/verify/resend'), lost: signupRestarted },
  // Each well-formed try costs an argon2 verification until the address throttle (50) answers instead.
  { name: 'POST /portal/login', weight: 4, fields: ['loginId', 'password', 'next'], setup: () => anonymous('/portal/', '/portal/login', 2) },
  // Logging out ends the session: every post needs a new one (a GET).
  { name: 'POST /portal/logout', weight: 2, fields: [], setup: () => anonymous('/portal/', '/portal/logout', 3), lost: () => true, maxSetups: Infinity },
  { name: 'POST /portal/terms', weight: 4, fields: ['agree', 'version'], setup: () => signedIn('/portal/terms'), lost: signedOut },
  {
    name: 'POST /portal/mypage/password',
    weight: 5,
    fields: ['currentPassword', 'newPassword', 'newPasswordConfirm'],
    setup: () => signedIn('/portal/mypage/password'),
    lost: signedOut,
  },
  { name: 'POST /portal/mypage/email', weight: 6, fields: ['email', 'emailConfirm'], setup: () => signedIn('/portal/mypage/email'), lost: signedOut },
  {
    name: 'POST /portal/mypage/email/verify',
    weight: 5,
    fields: ['code'],
    setup: () => pendingEmailChange('/portal/mypage/email/verify'),
    lost: (res) => signedOut(res) || location(res) === '/portal/mypage/email',
  },
  {
    name: 'POST /portal/mypage/email/verify/resend',
    weight: 2,
    fields: [],
    setup: () => pendingEmailChange('/portal/mypage/email/verify/resend'),
    lost: (res) => signedOut(res) || location(res) === '/portal/mypage/email',
  },
  { name: 'POST /portal/password/forgot', weight: 8, fields: ['loginId'], setup: () => anonymous('/portal/password/forgot', '/portal/password/forgot', 4) },
  {
    name: 'POST /portal/password/reset/<token>',
    weight: 6,
    fields: ['newPassword', 'newPasswordConfirm'],
    setup: resetLink,
    lost: (res) => res.status === 410,
  },
  { name: 'POST /portal/userid/forgot', weight: 8, fields: IDENTITY, setup: () => anonymous('/portal/userid/forgot', '/portal/userid/forgot', 5) },
];

const queries: QueryTarget[] = [
  { name: 'GET /portal/?next&loggedOut', weight: 2, params: ['next', 'loggedOut'], setup: () => anonymous('/portal/', '/portal/', 6) },
  { name: 'GET /portal/signup?reason', weight: 1, params: ['reason'], setup: () => anonymous('/portal/signup', '/portal/signup', 7) },
  { name: 'GET /portal/signup/account?reason', weight: 1, params: ['reason'], setup: verifiedSignup },
  { name: 'GET /portal/mypage?done', weight: 1, params: ['done'], setup: () => signedIn('/portal/mypage') },
];

const total = Math.round(fuzzBudget() * MEMBER_SHARE);
const runs = splitBudget(total, [...forms, ...queries]);

describe('fuzzing every member form with hostile values', () => {
  fuzzTests(forms, queries, runs, stats);

  sentEveryPlannedRequestTest('member', { stats, runs, rejections, logs: () => ctx.logs });
});

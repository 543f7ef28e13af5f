import type { Server } from 'node:http';
import { expect } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { createRecoveryQueries } from '../../src/features/recovery/queries.js';
import { RESET_LINK_MS } from '../../src/features/recovery/service.js';
import { unlockStaff } from '../../src/features/staff/queries.js';
import { SECOND } from '../../src/lib/clock.js';
import { keyedHasher, newUrlToken } from '../../src/lib/tokens.js';
import { TestAgent } from './agent.js';
import type { TestContext } from './app.js';
import { acceptLatestTerms, makeAccount, makeMember, type TestAccount } from './factories.js';
import { identityFields, latestCode, logIn, reachCodeStep, submitIdentity } from './member-flows.js';
import { addStaff, NEW_PASSWORD, secretOnPage, totpCode } from './staff-flows.js';

/**
 * Browser sessions in the states the forms need, made through HTTP as a person
 * would (identity check, account, login, staff sign-in), against one listening
 * server. Shared by the fuzz and security tests.
 */
export function sessionMaker(ctx: TestContext, server: Server, insurer: Insurer) {
  let seq = 0;
  const agent = () => new TestAgent(server);

  async function anonymous(page: string): Promise<TestAgent> {
    const a = agent();
    await a.get(page);
    return a;
  }

  /** Step 1 passed: at the account form. */
  async function verifiedSignup() {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const a = agent();
    const res = await submitIdentity(a, identityFields(insurer, member));
    expect(res.headers.location).toBe('/portal/signup/account');
    await a.get('/portal/signup/account');
    return { agent: a, member };
  }

  /** Steps 1 and 2 passed: at the code form, with the code that was mailed. */
  async function atCodeStep() {
    seq += 1;
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const a = agent();
    const email = `code-step-${seq}@example.com`;
    await reachCodeStep(a, insurer, member, { loginId: `code-step-${seq}`, email });
    const code = await latestCode(ctx, email);
    await a.get('/portal/signup/verify');
    return { agent: a, member, code, email };
  }

  /** A member with an account, signed in, terms accepted, `page` open. */
  async function signedIn(page = '/portal/mypage', account?: TestAccount) {
    const acc = account ?? (await makeAccount(ctx.db, ctx.clock, { insurer }));
    acceptLatestTerms(ctx.db, ctx.clock, acc);
    const a = agent();
    const res = await logIn(a, acc.loginId, acc.password);
    expect(res.headers.location).toBe('/portal/mypage');
    await a.get(page);
    return { agent: a, account: acc };
  }

  /** Signed in, a new address requested: at the code form of the e-mail change. */
  async function pendingEmailChange() {
    seq += 1;
    const state = await signedIn('/portal/mypage/email');
    const email = `changed-${seq}@example.com`;
    const res = await state.agent.post('/portal/mypage/email', { currentPassword: state.account.password, email, emailConfirm: email });
    expect(res.headers.location).toBe('/portal/mypage/email/verify');
    const code = await latestCode(ctx, email);
    await state.agent.get('/portal/mypage/email/verify');
    return { ...state, email, code };
  }

  /** A fresh reset link for a new account, put in the database as the forgotten-password request does. */
  async function resetLink() {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const token = newUrlToken();
    const now = ctx.clock.now();
    createRecoveryQueries(ctx.db).insertReset({
      accountId: account.id, tokenHash: keyedHasher(ctx.deps.config.sessionSecret, 'password-reset')(token), now, expiresAt: now + RESET_LINK_MS,
    });
    const path = `/portal/password/reset/${token}`;
    const a = agent();
    expect((await a.get(path)).status).toBe(200);
    return { agent: a, path, account };
  }

  // ---- staff ------------------------------------------------------------------------

  const staffId = (login: string) => ctx.readers.staffId(login);

  async function staffPasswordStep(login: string, password: string): Promise<TestAgent> {
    // The fuzzers' own wrong codes count against this test client's address (30 in 15 minutes
    // pause it): forget them, so a fresh sign-in is never refused for what came before.
    ctx.db.prepare("DELETE FROM attempts WHERE kind = 'staff_login' AND success = 0").run();
    const a = agent();
    await a.submit('/staff/login', { loginId: login, password });
    return a;
  }

  /** A new staff member at "choose a new password" of the first sign-in. */
  async function staffChoosingPassword() {
    seq += 1;
    const login = `staff-pw-${seq}`;
    const a = await staffPasswordStep(login, await addStaff(ctx, login, 'operator'));
    await a.get('/staff/login/password');
    expect(a.lastPage).toContain('name="newPassword"');
    return { agent: a, login };
  }

  /** A new staff member at the authenticator enrolment, with the secret the page shows. */
  async function staffEnrolling() {
    const { agent: a, login } = await staffChoosingPassword();
    const res = await a.post('/staff/login/password', { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD });
    expect(res.headers.location).toBe('/staff/login/enrol');
    const secret = secretOnPage((await a.get('/staff/login/enrol')).text);
    return { agent: a, login, secret };
  }

  /** A staff member through the whole first sign-in, signed in at /staff/. */
  async function enrolledStaff(login: string, role: 'operator' | 'supervisor') {
    const a = await staffPasswordStep(login, await addStaff(ctx, login, role));
    let res = await a.submit('/staff/login/password', { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD });
    expect(res.headers.location).toBe('/staff/login/enrol');
    const secret = secretOnPage((await a.get('/staff/login/enrol')).text);
    res = await a.post('/staff/login/enrol', { code: totpCode(secret, ctx.clock.now()) });
    expect(res.headers.location).toBe('/staff/');
    return { agent: a, login, secret, id: staffId(login) };
  }

  /** An enrolled staff member past the password, at the code form (unlocked first: wrong codes lock). */
  async function staffWaitingForCode(who: { login: string; id: number }) {
    unlockStaff(ctx.db, who.id);
    ctx.clock.advance(30 * SECOND); // a fresh TOTP step
    const a = await staffPasswordStep(who.login, NEW_PASSWORD);
    await a.get('/staff/login/code');
    expect(a.lastPage).toContain('name="code"');
    return { agent: a };
  }

  /** A later sign-in of an enrolled staff member, to the console. */
  async function staffSignedIn(who: { login: string; secret: string; id: number }) {
    const { agent: a } = await staffWaitingForCode(who);
    const res = await a.post('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now()) });
    expect(res.headers.location).toBe('/staff/');
    await a.get('/staff/');
    return { agent: a };
  }

  return {
    agent,
    anonymous,
    verifiedSignup,
    atCodeStep,
    signedIn,
    pendingEmailChange,
    resetLink,
    staffId,
    staffChoosingPassword,
    staffEnrolling,
    enrolledStaff,
    staffWaitingForCode,
    staffSignedIn,
  };
}

export type SessionMaker = ReturnType<typeof sessionMaker>;

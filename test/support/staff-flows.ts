import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import { SECOND } from '../../src/lib/clock.js';
import { TestAgent } from './agent.js';
import { cli, type TestContext } from './app.js';

/** What a call-center staff member does: added by the CLI, first sign-in with enrolment, later sign-ins. */

export const NEW_PASSWORD = 'Callcenter#2026x';

/** `portal staff add …`; returns the one-time password it printed. */
export async function addStaff(ctx: TestContext, login: string, role: 'operator' | 'supervisor', insurers: string[] = []): Promise<string> {
  const r = await cli(ctx, ['staff', 'add', '--login', login, '--role', role, ...insurers.flatMap((c) => ['--insurer', c])]);
  expect(r.code, r.err).toBe(0);
  const m = /initial password[^:]*: (\S+)/.exec(r.out);
  if (!m) throw new Error(`no password in: ${r.out}`);
  return m[1]!;
}

/** The authenticator app's code for `secret` at time `at`. */
export function totpCode(secret: string, at: number): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: at });
}

/** The base32 secret as the enrolment page shows it, spaces removed. */
export function secretOnPage(html: string): string {
  const m = /id="totp-secret">([A-Z2-7 ]+)</.exec(html);
  if (!m) throw new Error('no secret on the page');
  return m[1]!.replace(/ /g, '');
}

export interface SignedIn {
  agent: TestAgent;
  login: string;
  password: string;
  secret: string;
}

/** First sign-in from start to end: password, new password, enrolment with a code made from the page's secret. */
export async function firstSignIn(ctx: TestContext, login: string, initialPassword: string, newPassword = NEW_PASSWORD): Promise<SignedIn> {
  const agent = new TestAgent(ctx.app);
  let res = await agent.submit('/staff/login', { loginId: login, password: initialPassword });
  expect(res).toRedirectTo('/staff/login/password');
  res = await agent.submit('/staff/login/password', { newPassword, newPasswordConfirm: newPassword });
  expect(res).toRedirectTo('/staff/login/enrol');
  res = await agent.get('/staff/login/enrol');
  const secret = secretOnPage(res.text);
  res = await agent.post('/staff/login/enrol', { code: totpCode(secret, ctx.clock.now()) });
  expect(res).toRedirectTo('/staff/');
  return { agent, login, password: newPassword, secret };
}

/** A later sign-in with password and TOTP; moves the clock one step first so the code is fresh. */
export async function signIn(ctx: TestContext, who: { login: string; password: string; secret: string }): Promise<TestAgent> {
  ctx.clock.advance(30 * SECOND);
  const agent = new TestAgent(ctx.app);
  let res = await agent.submit('/staff/login', { loginId: who.login, password: who.password });
  expect(res.headers.location).toBe('/staff/login/code');
  res = await agent.submit('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now()) });
  expect(res).toRedirectTo('/staff/');
  return agent;
}

/** A staff member added by the CLI and signed in for the first time. */
export async function newSignedInStaff(
  ctx: TestContext,
  login: string,
  role: 'operator' | 'supervisor',
  insurers: string[] = [],
): Promise<SignedIn> {
  return firstSignIn(ctx, login, await addStaff(ctx, login, role, insurers));
}

/** The staff session cookie (path /staff/). */
export function staffCookie(agent: TestAgent): string | undefined {
  return agent.cookie('staff.sid', '/staff/');
}

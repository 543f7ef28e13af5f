import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import { SECOND } from '../../src/lib/clock.js';
import { TestAgent } from '../helpers/agent.js';
import type { TestContext } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';

export { cli };


/** `portal staff add …`; returns the one-time password it printed. */
export async function addStaff(ctx: TestContext, login: string, role: 'operator' | 'supervisor', insurers: string[] = []): Promise<string> {
  const r = await cli(ctx, ['staff', 'add', '--login', login, '--role', role, ...insurers.flatMap((c) => ['--insurer', c])]);
  expect(r.code, r.err).toBe(0);
  const m = /initial password[^:]*: (\S+)/.exec(r.out);
  if (!m) throw new Error(`no password in: ${r.out}`);
  return m[1]!;
}

export function totpCode(secret: string, at: number): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: at });
}

/** The base32 secret as the enrolment page shows it, spaces removed. */
export function secretOnPage(html: string): string {
  const m = /id="totp-secret">([A-Z2-7 ]+)</.exec(html);
  if (!m) throw new Error('no secret on the page');
  return m[1]!.replace(/ /g, '');
}

export const NEW_PASSWORD = 'Callcenter#2026x';

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
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/staff/login/password');
  res = await agent.submit('/staff/login/password', { newPassword, newPasswordConfirm: newPassword });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/staff/login/enrol');
  res = await agent.get('/staff/login/enrol');
  const secret = secretOnPage(res.text);
  res = await agent.post('/staff/login/enrol', { code: totpCode(secret, ctx.clock.now()) });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/staff/');
  return { agent, login, password: newPassword, secret };
}

/** A later sign-in with password and TOTP; moves the clock one step first so the code is fresh. */
export async function signIn(ctx: TestContext, who: { login: string; password: string; secret: string }): Promise<TestAgent> {
  ctx.clock.advance(30 * SECOND);
  const agent = new TestAgent(ctx.app);
  let res = await agent.submit('/staff/login', { loginId: who.login, password: who.password });
  expect(res.headers.location).toBe('/staff/login/code');
  res = await agent.submit('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now()) });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/staff/');
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

export function auditCount(ctx: TestContext): number {
  return ctx.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
}

export function auditRows(ctx: TestContext, since = 0) {
  return ctx.db
    .prepare<[number], { action: string; staff_login: string; query: string | null; member_id: number | null; reason: string | null; detail: string | null }>(
      'SELECT action, staff_login, query, member_id, reason, detail FROM audit_log WHERE id > ? ORDER BY id',
    )
    .all(since);
}

export function lastAuditId(ctx: TestContext): number {
  return (ctx.db.prepare('SELECT max(id) FROM audit_log').pluck().get() as number | null) ?? 0;
}

/** The staff session cookie (path /staff), which TestAgent.cookie cannot see from "/". */
export function staffCookie(agent: TestAgent): string | undefined {
  const jar = agent.http.jar as unknown as { getCookie(name: string, access: unknown): { value: string } | undefined };
  return jar.getCookie('staff.sid', { domain: '127.0.0.1', path: '/staff/', secure: false, script: false })?.value;
}

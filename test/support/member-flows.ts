import { expect } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { visibleText, type TestAgent } from './agent.js';
import type { TestContext } from './app.js';
import type { CapturedMail } from './smtp.js';

/** What a member does through HTTP: the signup steps, logging in, reading the mail that arrived. */

export const GOOD_PASSWORD = 'Kenpo#2026x';

/** The step-1 fields for a registry row, typed as the member would by default. */
export function identityFields(insurer: Insurer, member: Member, overrides: Record<string, string | string[]> = {}) {
  const [y, m, d] = member.birth_date.split('-');
  return {
    insurerCode: insurer.code,
    symbol: member.symbol,
    number: member.number,
    birthYear: y!,
    birthMonth: String(Number(m)),
    birthDay: String(Number(d)),
    nameKana: member.name_kana,
    ...overrides,
  };
}

/** Step 1 through HTTP; returns the response of the POST. */
export async function submitIdentity(agent: TestAgent, fields: Record<string, string | string[]>) {
  return agent.submit('/portal/signup', fields);
}

/** Steps 1 and 2: identity passes, the account form is sent; returns the POST response of step 2. */
export async function reachCodeStep(
  agent: TestAgent,
  insurer: Insurer,
  member: Member,
  account: { loginId: string; email?: string; password?: string },
) {
  const step1 = await submitIdentity(agent, identityFields(insurer, member));
  expect(step1).toRedirectTo('/portal/signup/account');
  const password = account.password ?? GOOD_PASSWORD;
  const fields: Record<string, string> = { loginId: account.loginId, password, passwordConfirm: password };
  if (account.email !== undefined) Object.assign(fields, { email: account.email, emailConfirm: account.email });
  const step2 = await agent.submit('/portal/signup/account', fields);
  expect(step2.status, visibleText(step2.text ?? '')).toBe(303);
  expect(step2.headers.location).toBe('/portal/signup/verify');
  return step2;
}

/** Opens the login page and posts the form, as a member would. */
export async function logIn(agent: TestAgent, loginId: string, password: string, next?: string) {
  await agent.get(next ? `/portal/?next=${encodeURIComponent(next)}` : '/portal/');
  return agent.post('/portal/login', { loginId, password, ...(next ? { next } : {}) });
}

/** Delivers the outbox over SMTP and returns the newest mail to `to` whose subject contains `title`. */
export async function latestMail(ctx: TestContext, to: string, title: string): Promise<CapturedMail> {
  await ctx.deliverMail();
  const mails = ctx.smtp.mails.filter((m) => m.to === to && m.subject.includes(title));
  const mail = mails.at(-1);
  if (!mail) throw new Error(`no mail "${title}" to ${to}`);
  return mail;
}

/** The 6-digit code of the newest signup or address-change code mail to `to`. */
export async function latestCode(ctx: TestContext, to: string): Promise<string> {
  const mail = await latestMail(ctx, to, '認証コードのお知らせ');
  const m = /認証コード：(\d{6})/.exec(mail.text);
  if (!m) throw new Error('no code in the mail');
  return m[1]!;
}

/** A code that is certainly not `code`. */
export function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

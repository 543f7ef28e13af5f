import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { TestAgent, visibleText } from '../helpers/agent.js';
import type { TestContext } from '../helpers/app.js';
import type { CapturedMail } from '../helpers/smtp.js';

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
  expect(step1.status).toBe(303);
  expect(step1.headers.location).toBe('/portal/signup/account');
  const password = account.password ?? GOOD_PASSWORD;
  const fields: Record<string, string> = { loginId: account.loginId, password, passwordConfirm: password };
  if (account.email !== undefined) Object.assign(fields, { email: account.email, emailConfirm: account.email });
  const step2 = await agent.submit('/portal/signup/account', fields);
  expect(step2.status, visibleText(step2.text ?? '')).toBe(303);
  expect(step2.headers.location).toBe('/portal/signup/verify');
  return step2;
}

/** Delivers the outbox over SMTP and returns the newest mail to `to` whose subject contains `title`. */
export async function latestMail(ctx: TestContext, to: string, title: string): Promise<CapturedMail> {
  await ctx.deliverMail();
  const mails = ctx.smtp.mails.filter((m) => m.to === to && m.subject.includes(title));
  const mail = mails.at(-1);
  if (!mail) throw new Error(`no mail "${title}" to ${to}`);
  return mail;
}

export async function latestCode(ctx: TestContext, to: string): Promise<string> {
  const mail = await latestMail(ctx, to, '認証コードのお知らせ');
  const m = /認証コード：(\d{6})/.exec(mail.text);
  if (!m) throw new Error('no code in the mail');
  return m[1]!;
}

export function countRows(ctx: TestContext, table: string, where = '1 = 1', ...params: unknown[]): number {
  return ctx.db.prepare(`SELECT count(*) FROM ${table} WHERE ${where}`).pluck().get(...params) as number;
}

/** A code that is certainly not `code`. */
export function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

/** Posts a raw urlencoded body (repeated keys, odd encodings) with the CSRF token of the last page. */
export async function postRaw(agent: TestAgent, path: string, raw: string) {
  const token = /name="_csrf" value="([^"]+)"/.exec(agent.lastPage)?.[1] ?? '';
  return agent.http.post(path).type('form').send(`_csrf=${encodeURIComponent(token)}&${raw}`);
}

/** The kana vectors shared by every part of the project (DESIGN.md "Kana key"). */
export function readKanaVectors(): { input: string; note: string; primary: string; variant: string }[] {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const shared = path.resolve(repoRoot, '../shared/kana-vectors.tsv');
  const file = existsSync(shared) ? shared : path.resolve(repoRoot, 'test/fixtures/kana-vectors.tsv');
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '')
    .map((line) => {
      const [input = '', note = '', primary = '', variant = ''] = line.split('\t');
      return { input, note, primary, variant };
    });
}

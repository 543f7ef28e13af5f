import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { codeIn, expectMail } from './mail.js';
import { INSURER_CODE, type RegistryMember } from './members.js';
import type { RunningPortal } from '../real-server.js';

/** Steps that several journeys share, driven by labels and roles as a person reads the page. */

/** The form control whose label reads `label` (the 必須 badge inside a label is allowed). */
export function field(page: Page, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^\\s*${escaped}\\s*(必須)?\\s*$`));
}

export function button(page: Page, name: string | RegExp): Locator {
  return page.getByRole('button', { name });
}

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  const heading = page.locator('main h1').first();
  await heading.waitFor();
  const actual = (await heading.textContent())?.trim() ?? '';
  if (typeof text === 'string') expect(actual, `h1 of ${page.url()}`).toContain(text);
  else expect(actual, `h1 of ${page.url()}`).toMatch(text);
}

/** The visible text of the page's main region. */
export async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

export interface Credentials {
  loginId: string;
  password: string;
  email: string;
}

/** A login ID, password and address of one journey at one viewport. */
export function credentialsFor(tag: string): Credentials {
  const clean = tag.replace(/[^a-z0-9]/gi, '');
  return { loginId: `e2e${clean}`, password: 'Kenpo#2025', email: `${clean}@example.com` };
}

/** Fills the identity fields of signup step 1 and the forgotten-ID page. */
export async function fillIdentity(page: Page, m: RegistryMember, nameKana = m.nameKana): Promise<void> {
  const [year, month, day] = m.birthDate.split('-').map((s) => String(Number(s)));
  await field(page, '保険者指定コード').fill(INSURER_CODE);
  await field(page, '記号').fill(m.symbol);
  await field(page, '番号').fill(m.number);
  await field(page, '年').selectOption(year!);
  await field(page, '月').selectOption(month!);
  await field(page, '日').selectOption(day!);
  await field(page, '氏名（カナ）').fill(nameKana);
}

export async function fillAccount(page: Page, c: Credentials): Promise<void> {
  await field(page, 'ユーザーID').fill(c.loginId);
  await field(page, 'パスワード').fill(c.password);
  await field(page, 'パスワード（確認用）').fill(c.password);
  await field(page, 'メールアドレス').fill(c.email);
  await field(page, 'メールアドレス（確認用）').fill(c.email);
}

/** The whole signup without checking each screen: for journeys that need an account to start from. */
export async function signUp(page: Page, portal: RunningPortal, m: RegistryMember, c: Credentials): Promise<void> {
  await page.goto('/portal/signup');
  await fillIdentity(page, m);
  await button(page, /^認証$/).click();
  await page.waitForURL('**/portal/signup/account');
  await fillAccount(page, c);
  const codeMail = expectMail(portal.smtp, c.email, '認証コードのお知らせ');
  await button(page, '作成する').click();
  await page.waitForURL('**/portal/signup/verify');
  await field(page, '認証コード（6桁の数字）').fill(codeIn(await codeMail));
  await button(page, /^認証$/).click();
  await expectHeading(page, '登録が完了しました');
}

export async function logIn(page: Page, loginId: string, password: string): Promise<void> {
  await page.goto('/portal/');
  await field(page, 'ユーザーID').fill(loginId);
  await field(page, 'パスワード').fill(password);
  await button(page, 'ログイン').click();
  await page.waitForLoadState('load');
}

/** Ticks 利用規約に同意する and goes on (the first login of an account shows the terms). */
export async function acceptTerms(page: Page): Promise<void> {
  await page.waitForURL('**/portal/terms**');
  await page.getByLabel('利用規約に同意する').check();
  await button(page, '次へ').click();
  await page.waitForURL('**/portal/mypage**');
}

/** Logs in and reaches my page, accepting the terms when they are shown. */
export async function logInToMypage(page: Page, loginId: string, password: string): Promise<void> {
  await logIn(page, loginId, password);
  if (new URL(page.url()).pathname.startsWith('/portal/terms')) await acceptTerms(page);
  await page.waitForURL('**/portal/mypage**');
}

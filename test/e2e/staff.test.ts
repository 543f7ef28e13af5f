import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyAccount, signedUpMembers } from '../support/browser/accounts.js';
import { launchBrowser, newJourneyContext, type Viewport, VIEWPORTS } from '../support/browser/browser.js';
import { button, expectHeading, field, mainText } from '../support/browser/flows.js';
import { expectMail } from '../support/browser/mail.js';
import { INSURER_CODE } from '../support/browser/members.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { Authenticator } from '../support/browser/totp.js';
import { type RunningPortal, startPortal } from '../support/real-server.js';

// Journey 5: an operator signs in for the first time (new password, authenticator), finds a
// member by 記号・番号 (the single hit opens the member page), shows the masked address whole
// and sends the ID reminder; a supervisor then reads all of it in the audit log, adds a staff
// member at the team page and resets the operator's authenticator; the operator's next
// sign-in enrols a new one.
const JOURNEY = 'staff';
const STAFF_PASSWORD = 'Console#2025x';

let portal: RunningPortal;
let browser: Browser;
let callers: Map<string, JourneyAccount>;
const initialPasswords = new Map<string, string>();

async function addStaff(login: string, role: 'operator' | 'supervisor'): Promise<void> {
  const result = await portal.cli(['staff', 'add', '--login', login, '--role', role]);
  expect(result.code, result.stderr).toBe(0);
  const password = /initial password[^:]*:\s*(\S+)/.exec(result.stdout)?.[1];
  if (!password) throw new Error(`no initial password in the output of staff add:\n${result.stdout}`);
  initialPasswords.set(login, password);
}

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  for (const v of VIEWPORTS) {
    await addStaff(`op-${v.name}`, 'operator');
    await addStaff(`sup-${v.name}`, 'supervisor');
  }
  // The callers have accounts, so there is an ID to remind them of.
  callers = await signedUpMembers(portal, browser, VIEWPORTS, 'staff');
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

/** First sign-in: initial password → new password → authenticator enrolment; checks each screen. */
async function firstSignIn(page: Page, screens: ScreenChecker, login: string, withErrors: boolean): Promise<Authenticator> {
  await page.goto('/staff/');
  await page.waitForURL('**/staff/login');
  await expectHeading(page, 'ログイン');
  const signInFields = { autocomplete: { loginId: 'username', password: 'current-password' } };
  await screens.check('signin', signInFields);
  if (withErrors) {
    await button(page, '次へ').click();
    await page.waitForLoadState('load');
    await screens.check('signin-errors', { ...signInFields, errors: true });
  }
  await field(page, 'ログインID').fill(login);
  await field(page, 'パスワード').fill(initialPasswords.get(login)!);
  await button(page, '次へ').click();
  await page.waitForURL('**/staff/login/password');
  await expectHeading(page, '新しいパスワードの設定');
  await screens.check('new-password', { autocomplete: { newPassword: 'new-password', newPasswordConfirm: 'new-password' } });
  if (withErrors) {
    await button(page, '設定して次へ').click();
    await page.waitForLoadState('load');
    await screens.check('new-password-errors', { errors: true });
  }
  await field(page, '新しいパスワード').fill(STAFF_PASSWORD);
  await field(page, '新しいパスワード（確認）').fill(STAFF_PASSWORD);
  await button(page, '設定して次へ').click();
  await page.waitForURL('**/staff/login/enrol');
  await expectHeading(page, '認証アプリの登録');
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7 ]{16,}$/);
  await screens.check('enrol');
  if (withErrors) {
    await button(page, '登録してログイン').click();
    await page.waitForLoadState('load');
    await screens.check('enrol-errors', { errors: true });
  }
  const app = new Authenticator(secret);
  await field(page, '認証コード（6桁）').fill(await app.nextCode());
  await button(page, '登録してログイン').click();
  await page.waitForURL((url) => url.pathname === '/staff/');
  await expectHeading(page, '加入者検索');
  return app;
}

async function signOut(page: Page): Promise<void> {
  await page.locator('header').getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL('**/staff/login?out=1');
}

describe.each(VIEWPORTS)('staff console at $name', (viewport: Viewport) => {
  it('an operator finds a caller by 記号・番号 and sends the ID reminder; a supervisor sees it in the audit log', async () => {
    const { member, creds } = callers.get(viewport.name)!;
    const operator = `op-${viewport.name}`;
    const supervisor = `sup-${viewport.name}`;
    const reason = `電話でユーザーIDの問い合わせ（${viewport.name}）、本人確認済み`;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, viewport);
    try {
      await firstSignIn(page, screens, operator, true);
      await screens.check('search');

      const cardForm = page.locator('form', { has: page.getByRole('heading', { name: '記号・番号で探す' }) });
      await cardForm.getByRole('button', { name: '検索' }).click();
      await page.waitForLoadState('load');
      await screens.check('search-errors', { errors: true });

      const cardForm2 = page.locator('form', { has: page.getByRole('heading', { name: '記号・番号で探す' }) });
      await cardForm2.getByLabel('保険者').selectOption(INSURER_CODE);
      await field(cardForm2 as unknown as Page, '記号').fill(member.symbol);
      await field(cardForm2 as unknown as Page, '番号').fill(member.number);
      await cardForm2.getByRole('button', { name: '検索' }).click();
      // The single exact hit opens the member's page.
      await page.waitForURL('**/staff/members/*');
      const memberUrl = page.url();
      const text = await mainText(page);
      expect(text).toContain('登録済');
      expect(text).toContain(creds.loginId);
      expect(text).not.toContain(creds.email); // only masked
      await screens.check('member');

      // 表示 shows the address whole (audited), to find a typo with the caller.
      await button(page, 'メールアドレスを表示').click();
      await page.waitForLoadState('load');
      expect(await mainText(page)).toContain(creds.email);
      await screens.check('member-email-shown');
      await page.goto(memberUrl);

      const reminder = page.locator('form', { has: page.getByRole('heading', { name: 'ユーザーIDのお知らせメール' }) });
      await reminder.getByRole('button', { name: '送信する' }).click();
      await page.waitForLoadState('load');
      await screens.check('member-reminder-errors', { errors: true });

      const reminderMail = expectMail(portal.smtp, creds.email, 'ユーザーIDのお知らせ');
      const reminder2 = page.locator('form', { has: page.getByRole('heading', { name: 'ユーザーIDのお知らせメール' }) });
      await reminder2.getByLabel(/理由/).fill(reason);
      await reminder2.getByRole('button', { name: '送信する' }).click();
      await page.waitForURL(memberUrl);
      await page.locator('.notice--success').waitFor();
      await screens.check('member-reminder-sent');
      expect((await reminderMail).text).toContain(creds.loginId);
      await signOut(page);
      await screens.check('signed-out');

      // The supervisor, also signing in for the first time, reads the audit log.
      await firstSignIn(page, screens, supervisor, false);
      await page.getByRole('link', { name: '監査ログ' }).click();
      await page.waitForURL('**/staff/audit**');
      await expectHeading(page, '監査ログ');
      await field(page, 'スタッフのログインID').fill(operator);
      await button(page, '絞り込む').click();
      await page.waitForLoadState('load');
      const rows = (await page.locator('table tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      expect(rows.some((r) => r.includes(operator) && r.includes('加入者検索'))).toBe(true);
      expect(rows.some((r) => r.includes(operator) && r.includes('加入者情報の表示'))).toBe(true);
      expect(rows.some((r) => r.includes(operator) && r.includes('ユーザーID通知メール送信') && r.includes(reason))).toBe(true);
      // Each row says when (Japan time), so the supervisor can match it to the call.
      for (const r of rows) expect(r).toMatch(/\d{4}[/-]\d{1,2}[/-]\d{1,2}.*\d{1,2}:\d{2}/);
      await screens.check('audit');

      // The supervisor's view of the member: the registry address form, and closing an account
      // asks first on a page of its own (left without closing).
      await page.goto(memberUrl);
      await screens.check('member-supervisor');
      await page.getByRole('link', { name: '停止の確認へ進む' }).click();
      await page.waitForURL('**/close');
      await expectHeading(page, 'アカウント停止の確認');
      expect(await mainText(page)).toContain('ログイン中の画面はすべてすぐに終了します');
      await screens.check('member-close-confirm');
      await page.getByRole('link', { name: '停止しないで戻る' }).click();
      await page.waitForURL(memberUrl);

      // The team page: add a staff member (the one-time password is shown once), then reset
      // the operator's authenticator (a new phone).
      await page.getByRole('link', { name: 'スタッフ' }).click();
      await page.waitForURL('**/staff/team');
      await expectHeading(page, 'スタッフ');
      await screens.check('team');
      await button(page, '追加する').click();
      await page.waitForLoadState('load');
      await screens.check('team-add-errors', { errors: true });
      await field(page, 'ログインID').fill(`rv-${viewport.name}`);
      await page.getByLabel('審査担当').check();
      await field(page, '理由').fill('調査票の審査担当として追加');
      await button(page, '追加する').click();
      await page.waitForLoadState('load');
      await expectHeading(page, 'スタッフを追加しました');
      expect((await page.locator('#initial-password').innerText()).trim()).toMatch(/^\S{16}$/);
      await screens.check('team-added');
      await page.getByRole('link', { name: 'スタッフ一覧へ戻る' }).click();
      await page.waitForURL('**/staff/team');
      await page.getByRole('link', { name: operator, exact: true }).click();
      await page.waitForURL('**/staff/team/*');
      await expectHeading(page, operator);
      await screens.check('team-member');
      const resetForm = page.locator('form', { has: page.getByRole('heading', { name: '認証アプリの再登録' }) });
      await resetForm.getByLabel(/理由/).fill('スマートフォンの機種変更');
      await resetForm.getByRole('button', { name: '解除する' }).click();
      await page.locator('.notice--success').waitFor();
      expect(await mainText(page)).toContain('認証アプリを解除しました');
      await screens.check('team-member-done');
      await signOut(page);

      // The operator's next sign-in asks for the password, then enrols the new phone.
      await field(page, 'ログインID').fill(operator);
      await field(page, 'パスワード').fill(STAFF_PASSWORD);
      await button(page, '次へ').click();
      await page.waitForURL('**/staff/login/enrol');
      const newSecret = (await page.locator('#totp-secret').innerText()).trim();
      const newApp = new Authenticator(newSecret);
      await field(page, '認証コード（6桁）').fill(await newApp.nextCode());
      await button(page, '登録してログイン').click();
      await page.waitForURL((url) => url.pathname === '/staff/');
      await signOut(page);

      // A later sign-in asks for the password and the authenticator's code.
      await field(page, 'ログインID').fill(operator);
      await field(page, 'パスワード').fill(STAFF_PASSWORD);
      await button(page, '次へ').click();
      await page.waitForURL('**/staff/login/code');
      await expectHeading(page, '認証コードの入力');
      await screens.check('signin-code');
      await button(page, 'ログイン').click();
      await page.waitForLoadState('load');
      await screens.check('signin-code-errors', { errors: true });
      await field(page, '認証コード（6桁）').fill(await newApp.nextCode());
      await button(page, 'ログイン').click();
      await page.waitForURL((url) => url.pathname === '/staff/');
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
    // Three first sign-ins and two TOTP codes that must wait for a fresh 30-second step.
  }, 180_000);
});

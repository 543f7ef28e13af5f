import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newJourneyContext, NO_JS_VIEWPORTS, VIEWPORTS } from '../support/browser/browser.js';
import { button, credentialsFor, expectHeading, fillAccount, fillIdentity, mainText } from '../support/browser/flows.js';
import { codeIn, expectMail } from '../support/browser/mail.js';
import { addMembers, DEMO_MEMBER, memberLikeDemo, type RegistryMember } from '../support/browser/members.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { type RunningPortal, startPortal } from '../support/real-server.js';

// Journey 1: a member signs up on a phone (and a desktop, and both without JavaScript),
// typing the kana name in half-width katakana and reading the code from the mail.
const JOURNEY = 'signup';
const HALF_WIDTH_NAME = 'ｹﾝﾎﾟ ｼｮｳｺ';
const viewports = [...VIEWPORTS, ...NO_JS_VIEWPORTS];

let portal: RunningPortal;
let browser: Browser;
const members = new Map<string, RegistryMember>();

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  // The demo member signs up on the phone; the other runs need members of their own
  // (a member signs up once a year), with the same name and birthdate.
  members.set('phone', DEMO_MEMBER);
  const others = viewports.slice(1).map((v) => [v.name, memberLikeDemo()] as const);
  for (const [name, m] of others) members.set(name, m);
  await addMembers(portal, others.map(([, m]) => m));
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe.each(viewports)('signup at $name', (viewport) => {
  it('a member signs up with a half-width kana name, reads the code from the mail and reaches 登録が完了しました', async () => {
    const member = members.get(viewport.name)!;
    const creds = credentialsFor(`signup-${viewport.name}`);
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, viewport);
    try {
      await page.goto('/portal/signup');
      await expectHeading(page, '本人確認');
      expect(await page.locator('.steps [aria-current="step"]').innerText()).toContain('1 本人確認');
      await screens.check('identity');

      await button(page, /^認証$/).click();
      await page.waitForLoadState('load');
      expect(await page.locator('#error-summary').innerText()).toContain('入力内容をご確認ください');
      await screens.check('identity-errors', { errors: true });

      await fillIdentity(page, member, HALF_WIDTH_NAME);
      await button(page, /^認証$/).click();
      await page.waitForURL('**/portal/signup/account');
      expect(await page.locator('.steps [aria-current="step"]').innerText()).toContain('2 ID・パスワード設定');
      expect(await mainText(page)).toContain(`${member.name} 様の本人確認ができました`);
      await screens.check('account', { autocomplete: { password: 'new-password' } });

      await button(page, '作成する').click();
      await page.waitForLoadState('load');
      await screens.check('account-errors', { errors: true, autocomplete: { password: 'new-password' } });

      await fillAccount(page, creds);
      const codeMail = expectMail(portal.smtp, creds.email, '【U-NEXT HOLDINGS健康保険組合】認証コードのお知らせ');
      await button(page, '作成する').click();
      await page.waitForURL('**/portal/signup/verify');
      expect(await page.locator('.steps [aria-current="step"]').innerText()).toContain('3 認証コード入力');
      expect(await mainText(page)).toMatch(/\d{1,2}:\d{2}まで有効/);
      await screens.check('verify');

      const code = codeIn(await codeMail);
      await page.getByLabel(/認証コード/).fill(code === '000000' ? '111111' : '000000');
      await button(page, /^認証$/).click();
      await page.waitForLoadState('load');
      expect(await page.locator('#error-summary').innerText()).toContain('認証コードが正しくありません');
      await screens.check('verify-errors', { errors: true });

      const doneMail = expectMail(portal.smtp, creds.email, '登録完了のお知らせ');
      await page.getByLabel(/認証コード/).fill(code);
      await button(page, /^認証$/).click();
      await page.waitForURL('**/portal/signup/done');
      await expectHeading(page, '登録が完了しました');
      expect(await page.locator('.steps [aria-current="step"]').innerText()).toContain('4 完了');
      expect(await mainText(page)).toContain(creds.loginId);
      await screens.check('done');
      expect((await doneMail).text).toContain('U-NEXT HOLDINGS健康保険組合');

      // The completion page leads to the login page with the new ID filled in.
      await page.getByRole('link', { name: 'ログイン画面へ' }).click();
      await page.waitForURL('**/portal/');
      expect(await page.locator('#loginId').inputValue()).toBe(creds.loginId);
      expect(await mainText(page)).toContain('初回登録が完了しました');
      await screens.check('login-prefilled', { autocomplete: { loginId: 'username', password: 'current-password' } });
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

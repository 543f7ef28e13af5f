import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyAccount, signedUpMembers } from '../support/browser/accounts.js';
import { launchBrowser, newJourneyContext, NO_JS_VIEWPORTS, VIEWPORTS } from '../support/browser/browser.js';
import { button, expectHeading, field, mainText } from '../support/browser/flows.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { type RunningPortal, startPortal } from '../support/real-server.js';

// Journey 2: login → terms (first login) → my page → logout, with and without JavaScript.
const JOURNEY = 'login';
const viewports = [...VIEWPORTS, ...NO_JS_VIEWPORTS];

let portal: RunningPortal;
let browser: Browser;
let accounts: Map<string, JourneyAccount>;

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  accounts = await signedUpMembers(portal, browser, viewports, 'login');
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe.each(viewports)('login at $name', (viewport) => {
  it('a member logs in, accepts the terms, sees my page with their name and logs out', async () => {
    const { member, creds } = accounts.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, viewport);
    const loginFields = { autocomplete: { loginId: 'username', password: 'current-password' } };
    try {
      await page.goto('/portal/');
      await expectHeading(page, 'ログイン');
      await screens.check('login', loginFields);

      await button(page, 'ログイン').click();
      await page.waitForLoadState('load');
      await screens.check('login-errors', { ...loginFields, errors: true });

      await field(page, 'ユーザーID').fill(creds.loginId);
      await field(page, 'パスワード').fill('Wrong#Pass1');
      await button(page, 'ログイン').click();
      await page.waitForLoadState('load');
      expect(await mainText(page)).toContain('ユーザーIDまたはパスワードが正しくありません');
      await screens.check('login-wrong-password', { ...loginFields, errors: true });

      // The ID is matched without regard to case.
      await field(page, 'ユーザーID').fill(creds.loginId.toUpperCase());
      await field(page, 'パスワード').fill(creds.password);
      await button(page, 'ログイン').click();
      await page.waitForURL('**/portal/terms**');
      await expectHeading(page, '利用規約');
      await screens.check('terms');

      await button(page, '次へ').click();
      await page.waitForLoadState('load');
      expect(page.url()).toContain('/portal/terms');
      await screens.check('terms-errors', { errors: true });

      await page.getByLabel('利用規約に同意する').check();
      await button(page, '次へ').click();
      await page.waitForURL('**/portal/mypage');
      await expectHeading(page, 'マイページ');
      const text = await mainText(page);
      expect(text).toContain(`${member.name} 様`);
      expect(text).toContain('U-NEXT HOLDINGS健康保険組合');
      expect(text).toContain(creds.email); // their own address, whole
      await screens.check('mypage');

      await page.locator('main').getByRole('button', { name: 'ログアウト' }).click();
      await page.waitForURL('**/portal/?loggedOut=1');
      expect(await mainText(page)).toContain('ログアウトしました');
      await screens.check('logged-out', loginFields);

      // The session is gone: my page asks for a login again.
      await page.goto('/portal/mypage');
      expect(new URL(page.url()).pathname).toBe('/portal/');
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

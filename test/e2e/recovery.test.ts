import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyAccount, signedUpMembers } from '../support/browser/accounts.js';
import { launchBrowser, newJourneyContext, VIEWPORTS } from '../support/browser/browser.js';
import { button, expectHeading, field, fillIdentity, logIn, mainText } from '../support/browser/flows.js';
import { expectMail, linkIn } from '../support/browser/mail.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { type RunningPortal, startPortal } from '../support/real-server.js';

// Journey 3: a forgotten password through the mailed link, and a forgotten ID through the mail.
const JOURNEY = 'recovery';
const NEW_PASSWORD = 'Renew#2025z';

let portal: RunningPortal;
let browser: Browser;
let accounts: Map<string, JourneyAccount>;

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  accounts = await signedUpMembers(portal, browser, VIEWPORTS, 'recovery');
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe.each(VIEWPORTS)('recovery at $name', (viewport) => {
  it('a member who forgot the password opens the mailed link, sets a new one and logs in with it', async () => {
    const { creds } = accounts.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, `${JOURNEY}-password`, viewport);
    try {
      await page.goto('/portal/');
      await page.getByRole('link', { name: 'パスワードをお忘れの方' }).click();
      await page.waitForURL('**/portal/password/forgot');
      await expectHeading(page, 'パスワードの再設定');
      await screens.check('forgot', { autocomplete: { loginId: 'username' } });

      await button(page, '再設定用のリンクを送る').click();
      await page.waitForLoadState('load');
      await screens.check('forgot-errors', { errors: true });

      await field(page, 'ユーザーID').fill(creds.loginId);
      const resetMail = expectMail(portal.smtp, creds.email, 'パスワード再設定のご案内');
      await button(page, '再設定用のリンクを送る').click();
      await expectHeading(page, 'パスワード再設定のご案内');
      await screens.check('forgot-sent');

      const link = linkIn(await resetMail, `${portal.baseUrl}/portal/password/reset/`);
      const response = await page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await expectHeading(page, '新しいパスワードの設定');
      await screens.check('reset', { autocomplete: { newPassword: 'new-password', newPasswordConfirm: 'new-password' } });

      await button(page, 'パスワードを再設定する').click();
      await page.waitForLoadState('load');
      await expectHeading(page, '新しいパスワードの設定');
      await screens.check('reset-errors', { errors: true });

      const changedMail = expectMail(portal.smtp, creds.email, 'パスワード変更のお知らせ');
      await field(page, '新しいパスワード').fill(NEW_PASSWORD);
      await field(page, '新しいパスワード（確認）').fill(NEW_PASSWORD);
      await button(page, 'パスワードを再設定する').click();
      await expectHeading(page, 'パスワードを再設定しました');
      await screens.check('reset-done');
      await changedMail;

      // The link is single-use.
      await page.goto(link);
      await expectHeading(page, 'このリンクは使えません');
      await screens.check('reset-link-used');

      await logIn(page, creds.loginId, NEW_PASSWORD);
      expect(new URL(page.url()).pathname).toMatch(/^\/portal\/(terms|mypage)/);
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });

  it('a member who forgot the ID enters the card details and finds the ID in the mail', async () => {
    const { member, creds } = accounts.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, `${JOURNEY}-userid`, viewport);
    try {
      await page.goto('/portal/');
      await page.getByRole('link', { name: 'ユーザーIDをお忘れの方' }).click();
      await page.waitForURL('**/portal/userid/forgot');
      await expectHeading(page, 'ユーザーIDの確認');
      await screens.check('forgot');

      await button(page, 'ユーザーIDをメールで受け取る').click();
      await page.waitForLoadState('load');
      await screens.check('forgot-errors', { errors: true });

      await fillIdentity(page, member, 'けんぽ　しょうこ');
      const idMail = expectMail(portal.smtp, creds.email, 'ユーザーIDのお知らせ');
      await button(page, 'ユーザーIDをメールで受け取る').click();
      await expectHeading(page, 'ユーザーIDのご案内');
      expect(await mainText(page)).not.toContain(creds.loginId);
      await screens.check('sent');

      expect((await idMail).text).toContain(`ユーザーID：${creds.loginId}`);
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyAccount, signedUpMembers } from '../support/browser/accounts.js';
import { launchBrowser, newJourneyContext, VIEWPORTS } from '../support/browser/browser.js';
import { acceptTerms, button, expectHeading, field, logIn, logInToMypage, mainText } from '../support/browser/flows.js';
import { codeIn, expectMail } from '../support/browser/mail.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { type RunningPortal, startPortal } from '../support/real-server.js';

// Journey 4: from my page, a member changes the e-mail address, confirming it with the
// code sent to the new address; the old address is told.
const JOURNEY = 'email-change';

let portal: RunningPortal;
let browser: Browser;
let accounts: Map<string, JourneyAccount>;

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  accounts = await signedUpMembers(portal, browser, VIEWPORTS, 'email');
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe.each(VIEWPORTS)('email change at $name', (viewport) => {
  it('a member changes the e-mail address with the code mailed to the new address', async () => {
    const { creds } = accounts.get(viewport.name)!;
    const newEmail = `new.${creds.email}`;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, viewport);
    try {
      await logIn(page, creds.loginId, creds.password);
      await acceptTerms(page);
      await page.getByRole('link', { name: 'メールアドレスを変更する' }).click();
      await page.waitForURL('**/portal/mypage/email');
      await expectHeading(page, 'メールアドレスの変更');
      await screens.check('email');

      await button(page, '認証コードを送る').click();
      await page.waitForLoadState('load');
      await screens.check('email-errors', { errors: true });

      await field(page, '現在のパスワード').fill(creds.password);
      await field(page, '新しいメールアドレス').fill(newEmail);
      await field(page, '新しいメールアドレス（確認用）').fill(newEmail);
      const codeMail = expectMail(portal.smtp, newEmail, 'メールアドレス変更の認証コードのお知らせ');
      await button(page, '認証コードを送る').click();
      await page.waitForURL('**/portal/mypage/email/verify');
      expect(await mainText(page)).toMatch(/\d{1,2}:\d{2}まで有効/);
      await screens.check('verify');

      const code = codeIn(await codeMail);
      await button(page, '認証してメールアドレスを変更する').click();
      await page.waitForLoadState('load');
      await screens.check('verify-errors', { errors: true });

      const noticeToOld = expectMail(portal.smtp, creds.email, 'メールアドレス変更のお知らせ');
      await page.getByLabel(/認証コード/).fill(code);
      await button(page, '認証してメールアドレスを変更する').click();
      await page.waitForURL('**/portal/mypage?done=email');
      const text = await mainText(page);
      expect(text).toContain(newEmail); // my page shows the member's own address whole
      await screens.check('mypage-changed');
      await noticeToOld;
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });

  it('the change-password page labels its fields and reports errors', async () => {
    const { creds } = accounts.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, `${JOURNEY}-password`, viewport);
    try {
      await logInToMypage(page, creds.loginId, creds.password);
      await page.getByRole('link', { name: 'パスワードを変更する' }).click();
      await expectHeading(page, 'パスワードの変更');
      const fields = { autocomplete: { currentPassword: 'current-password', newPassword: 'new-password', newPasswordConfirm: 'new-password' } };
      await screens.check('password', fields);
      await button(page, 'パスワードを変更する').click();
      await page.waitForLoadState('load');
      await screens.check('password-errors', { ...fields, errors: true });
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newJourneyContext, NO_JS_VIEWPORTS, VIEWPORTS } from '../support/browser/browser.js';
import { signedUpMembers, type JourneyAccount } from '../support/browser/accounts.js';
import { button, expectHeading, field, fillIdentity, logInToMypage, mainText } from '../support/browser/flows.js';
import { expectMail } from '../support/browser/mail.js';
import { addMembers, INSURER_CODE, memberLikeDemo, type RegistryMember } from '../support/browser/members.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { startPortal, type RunningPortal } from '../support/real-server.js';

// Journey 6: the member screens of issue 14 that no other journey reaches — the society's link,
// the policies, the birthdate error, a pre-registered address, a voided code and a refused resend,
// an expired form, and my page with the member's insurance and a notice with a link.
const JOURNEY = 'screens';
// Runs in the page (no DOM library in this project's TypeScript settings).
declare function getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; outlineColor: string; boxShadow: string };
const viewports = [...VIEWPORTS, NO_JS_VIEWPORTS[0]!];

let portal: RunningPortal;
let browser: Browser;
const presetMembers = new Map<string, RegistryMember>();
let accounts: Map<string, JourneyAccount>;

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
  for (const v of viewports) presetMembers.set(v.name, { ...memberLikeDemo(), email: `preset-${v.name}@example.com` });
  await addMembers(portal, [...presetMembers.values()]);
  accounts = await signedUpMembers(portal, browser, viewports, 'screens');
  const notice = await portal.cli([
    'notice', 'add', '--insurer', INSURER_CODE, '--title', '健診のご案内',
    '--body', '今年度の健診は[予約サイト](https://kenshin.example.jp/)からお申し込みください。\\n**締切は6月30日**です。',
  ]);
  expect(notice.code, notice.stderr).toBe(0);
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe.each(viewports)('member screens at $name', (viewport) => {
  it('the society\u2019s link, the policies, the birthdate message, a pre-registered address, a voided code, an expired form', async () => {
    const member = presetMembers.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, viewport);
    try {
      await page.goto(`/portal/signup?insurer=${INSURER_CODE}`);
      await expectHeading(page, '本人確認');
      expect(await field(page, '保険者指定コード').inputValue()).toBe(INSURER_CODE);
      // Phones show the compact step line instead of the four labels.
      expect(await page.locator('.steps-compact').isVisible()).toBe(viewport.isMobile);
      expect(await page.locator('ol.steps').isVisible()).toBe(!viewport.isMobile);
      await screens.check('identity-linked');

      // The focus ring: a dark ring around a yellow band.
      await field(page, '記号').focus();
      const ring = await field(page, '記号').evaluate((el) => {
        const s = getComputedStyle(el);
        return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow };
      });
      expect(ring.outline).toBe('solid 3px rgb(26, 26, 26)');
      expect(ring.shadow).toContain('rgb(255, 212, 61)');
      await screens.check('focus-ring');

      await page.getByRole('link', { name: '個人情報の取り扱いについて' }).click();
      await expectHeading(page, '個人情報の取り扱いについて');
      expect(await mainText(page)).toContain('U-NEXT HOLDINGS健康保険組合（以下「当組合」といいます。）');
      await screens.check('privacy');
      await page.goBack();
      await page.getByRole('link', { name: '利用規約', exact: true }).click();
      await expectHeading(page, '利用規約');
      await screens.check('terms-public');
      await page.goBack();

      // One message for the date, however many pulldowns are left.
      await fillIdentity(page, member);
      await field(page, '月').selectOption('');
      await button(page, /^認証$/).click();
      await page.waitForLoadState('load');
      expect(await page.locator('#birthDate-error').innerText()).toContain('生年月日を選択してください');
      expect(await page.locator('.field__error').count()).toBe(1);
      await screens.check('identity-birth-error', { errors: true });

      await fillIdentity(page, member);
      await button(page, /^認証$/).click();
      await page.waitForURL('**/portal/signup/account');
      const accountText = await mainText(page);
      expect(accountText).toContain('このメールアドレスでメールを受け取れない場合');
      expect(accountText).toContain('本人確認から30分以内');
      await screens.check('account-preset', { autocomplete: { password: 'new-password' } });

      await field(page, 'ユーザーID').fill(`e2epreset${viewport.name.replace(/\W/g, '')}`);
      await field(page, 'パスワード').fill('Kenpo#2025');
      await field(page, 'パスワード（確認用）').fill('Kenpo#2025');
      const codeMail = expectMail(portal.smtp, member.email!, '認証コードのお知らせ');
      await button(page, '作成する').click();
      await page.waitForURL('**/portal/signup/verify');
      await codeMail;
      expect(await page.locator('main a[href^="tel:"]').count()).toBeGreaterThan(0);
      await screens.check('verify-preset');

      for (let i = 0; i < 5; i++) {
        await page.getByLabel(/認証コード/).fill(i % 2 === 0 ? '000 000' : '111 111');
        await button(page, /^認証$/).click();
        await page.waitForLoadState('load');
      }
      expect(await page.locator('input[name="code"]').count()).toBe(0);
      expect(await mainText(page)).toContain('このコードは使えなくなりました');
      await screens.check('verify-voided');

      // A resend within a minute is refused; the page comes back by redirect with the reason.
      await button(page, '新しい認証コードを送る').click();
      await page.waitForURL('**/portal/signup/verify?refused=soon**');
      expect(await mainText(page)).toContain('認証コードの再送は1分に1回までです');
      await screens.check('verify-resend-refused');

      // An expired form (the cookies are gone): the error page still names the society and its call center.
      await page.goto('/portal/password/forgot');
      await context.clearCookies();
      await field(page, 'ユーザーID').fill('someone01');
      await page.locator('main form button[type="submit"]').click();
      await page.waitForLoadState('load');
      await expectHeading(page, 'ページの有効期限が切れました');
      expect(await page.locator('.site-header').innerText()).toContain('U-NEXT HOLDINGS健康保険組合');
      expect(await page.locator('footer a[href^="tel:"]').count()).toBeGreaterThan(0);
      await screens.check('csrf-error');
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });

  it('my page shows the member\u2019s insurance, their own address and a notice with a link', async () => {
    const { member, creds } = accounts.get(viewport.name)!;
    const context = await newJourneyContext(browser, viewport, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, `${JOURNEY}-mypage`, viewport);
    try {
      await logInToMypage(page, creds.loginId, creds.password);
      const text = await mainText(page);
      expect(await page.locator('#insurance-heading + dl').innerText()).toMatch(new RegExp(`記号\\s+${member.symbol}\\s+番号\\s+${member.number}\\s+資格\\s+加入中`));
      expect(text).toContain(creds.email);
      expect(await page.getByRole('link', { name: '予約サイト' }).getAttribute('href')).toBe('https://kenshin.example.jp/');
      await screens.check('mypage');
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

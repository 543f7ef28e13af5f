import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, newJourneyContext } from '../support/browser/browser.js';
import { acceptTerms, button, credentialsFor, expectHeading, field, logIn, mainText, signUp } from '../support/browser/flows.js';
import { expectMail } from '../support/browser/mail.js';
import { DEMO_MEMBER } from '../support/browser/members.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { startPortal, type RunningPortal } from '../support/real-server.js';
import { Authenticator } from '../support/browser/totp.js';

// Journey: the demo member submits the survey; the supervisor reviews it at desktop size — views
// a document, rejects one, asks for a new one, the member adds it, each dependent is decided, the
// case completed — the member reads 審査完了 on my page, and the export lists the decisions.
const JOURNEY = 'survey-review';
const STAFF_PASSWORD = 'Console#2025x';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  clearJourneyResults(JOURNEY);
  portal = await startPortal();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

async function choose(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const radio = page.locator(`input[type="radio"][name="${name}"][value="${value}"]`);
    if ((await radio.count()) > 0) await radio.check();
    else await page.locator(`input[name="${name}"]`).fill(value);
  }
}

async function uploadPdf(page: Page, kind: string, name: string): Promise<void> {
  await page.goto('/portal/survey/documents');
  const form = page.locator('form', { has: page.locator(`input[name="slot"][value$=":${kind}"]`) }).first();
  await form.locator('input[type="file"]').setInputFiles({ name, mimeType: 'application/pdf', buffer: PDF });
  await form.getByRole('button', { name: 'この書類を送信する' }).click();
  await page.waitForURL('**/portal/survey/documents?done=uploaded');
}

/** The member's part up to the receipt (the member's own screens are checked in survey.test.ts). */
async function memberSubmits(page: Page): Promise<string> {
  // A password of its own: the harness's shared one is on the breached-password list now.
  const creds = { ...credentialsFor('survey-review'), password: 'Rv#9kq2Lmz' };
  try {
    await signUp(page, portal, DEMO_MEMBER, creds);
  } catch (err) {
    throw new Error(`signup failed at ${page.url()}: ${await mainText(page)}`, { cause: err });
  }
  await logIn(page, creds.loginId, creds.password);
  await acceptTerms(page);
  const NONE = { incomeSalary: '0', incomePension: '0', incomeBusiness: '0', incomeOther: '0' };
  for (const [link, occupation] of [[/健保 一郎さん/, 'none'], [/健保 さくら ?さん/, 'student']] as const) {
    await page.goto('/portal/survey');
    await page.getByRole('link', { name: link }).click();
    await choose(page, { continuation: 'continue', residence: 'together', livesInJapan: 'yes', occupation, ...NONE, disabled: 'no' });
    await button(page, '保存する').click();
    await page.waitForURL('**/portal/survey?done=saved');
  }
  await uploadPdf(page, 'income_certificate', 'kazei.pdf');
  await uploadPdf(page, 'enrolment_certificate', 'zaigaku.pdf');
  await page.goto('/portal/survey/confirm');
  await page.getByLabel('記載内容に相違ありません').check();
  await button(page, '提出する').click();
  await page.waitForURL('**/portal/survey/submitted');
  return creds.email;
}

async function supervisorSignsIn(page: Page, initialPassword: string): Promise<void> {
  await page.goto('/staff/login');
  await field(page, 'ログインID').fill('sup-review');
  await field(page, 'パスワード').fill(initialPassword);
  await button(page, '次へ').click();
  await page.waitForURL('**/staff/login/password');
  await field(page, '新しいパスワード').fill(STAFF_PASSWORD);
  await field(page, '新しいパスワード（確認）').fill(STAFF_PASSWORD);
  await button(page, '設定して次へ').click();
  await page.waitForURL('**/staff/login/enrol');
  const app = new Authenticator((await page.locator('#totp-secret').innerText()).trim());
  await field(page, '認証コード（6桁）').fill(await app.nextCode());
  await button(page, '登録してログイン').click();
  await page.waitForURL((url) => url.pathname === '/staff/');
}

function dependentSection(page: Page, name: string) {
  return page.locator('section.review-dependent', { has: page.getByRole('heading', { name: new RegExp(name) }) });
}

describe('the survey review at desktop size', () => {
  it('the supervisor reviews the demo member’s case to completion and the member sees 審査完了', async () => {
    const added = await portal.cli(['staff', 'add', '--login', 'sup-review', '--role', 'supervisor']);
    expect(added.code, added.stderr).toBe(0);
    const initialPassword = /initial password[^:]*:\s*(\S+)/.exec(added.stdout)![1]!;

    const memberContext = await newJourneyContext(browser, DESKTOP, portal.baseUrl);
    const member = await memberContext.newPage();
    const email = await memberSubmits(member);

    const context = await newJourneyContext(browser, DESKTOP, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, DESKTOP);
    try {
      await supervisorSignsIn(page, initialPassword);
      await page.getByRole('navigation', { name: '管理画面メニュー' }).getByRole('link', { name: '資格調査' }).click();
      await expectHeading(page, '被扶養者資格調査');
      expect(await mainText(page)).toMatch(/提出 1件/);
      await screens.check('progress');

      await page.locator('#queue a').first().click();
      await page.waitForURL('**/staff/survey/cases/*');
      const caseUrl = page.url();
      expect(await mainText(page)).toContain('状況 審査中');
      expect(await mainText(page)).toContain('判定の目安：基準内');
      await screens.check('case');

      // The document, as the browser gets it: inline, sandboxed, not stored.
      const href = await page.locator('a', { hasText: 'PDFを表示' }).first().getAttribute('href');
      const doc = await context.request.get(href!);
      expect(doc.status()).toBe(200);
      expect(doc.headers()['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(doc.headers()['cache-control']).toBe('no-store');

      // Reject the child's enrolment certificate, then ask for a new one.
      const child = dependentSection(page, '健保 さくら');
      await child.getByLabel(/差し戻しの理由/).first().selectOption('不鮮明');
      await child.getByRole('button', { name: /差し戻す/ }).first().click();
      await page.waitForURL(caseUrl);
      await page.locator('#request-message').fill('在学証明書をはっきり写したものを提出してください。');
      await page.locator('#request-dueDate').fill('2099-12-31');
      const requestMail = expectMail(portal.smtp, email, '追加書類のお願い');
      await button(page, '追加書類を依頼する').click();
      await page.waitForURL(caseUrl);
      expect(await mainText(page)).toContain('状況 追加書類依頼');
      await requestMail;

      // The member adds it.
      await member.goto('/portal/mypage');
      expect(await mainText(member)).toContain('健康保険組合からの追加書類のお願い');
      await uploadPdf(member, 'enrolment_certificate', 'zaigaku2.pdf');

      // Decide each dependent; an empty removal first shows its messages.
      await page.goto(caseUrl);
      const spouse = dependentSection(page, '健保 一郎');
      await spouse.getByLabel('扶養継続', { exact: true }).check();
      await spouse.getByRole('button', { name: /判定を記録する/ }).click();
      await page.waitForURL(caseUrl);
      const child2 = dependentSection(page, '健保 さくら');
      await child2.getByLabel('扶養削除', { exact: true }).check();
      await child2.getByRole('button', { name: /判定を記録する/ }).click();
      await page.waitForLoadState('load');
      expect(await mainText(page)).toContain('削除日を入力してください');
      await screens.check('case-errors', { errors: true });
      const child3 = dependentSection(page, '健保 さくら');
      await child3.getByLabel('扶養継続', { exact: true }).check();
      await child3.getByRole('button', { name: /判定を記録する/ }).click();
      await page.waitForURL(caseUrl);

      const doneMail = expectMail(portal.smtp, email, '審査完了のお知らせ');
      await button(page, '審査を完了する').click();
      await page.waitForURL(caseUrl);
      expect(await mainText(page)).toContain('状況 審査完了');
      await screens.check('case-completed');
      await doneMail;

      await member.goto('/portal/mypage');
      expect(await mainText(member)).toContain('審査完了');
      expect(await mainText(member)).toContain('健保 さくらさん：扶養継続');

      const csv = await context.request.get((await page.locator('a', { hasText: '審査の一覧へ戻る' }).getAttribute('href'))!.replace(/\?survey=(\d+)/, '$1/export.csv').replace('/staff/survey', '/staff/survey/'));
      const text = (await csv.body()).toString('utf8');
      expect(text).toContain(',completed,');
      expect(text).toContain(',continue,,,sup-review,');
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
      await memberContext.close();
    }
  });
});

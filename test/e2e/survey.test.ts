import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newJourneyContext, PHONE } from '../support/browser/browser.js';
import { acceptTerms, button, credentialsFor, expectHeading, logIn, mainText, signUp } from '../support/browser/flows.js';
import { expectMail } from '../support/browser/mail.js';
import { DEMO_MEMBER } from '../support/browser/members.js';
import { clearJourneyResults, ScreenChecker } from '../support/browser/screens.js';
import { startPortal, type RunningPortal } from '../support/real-server.js';

// Journey: the demo member of a fresh start signs up, finds the survey on my page, answers for
// the spouse and the student child, sends a phone photo and a PDF, submits and gets the receipt.
const JOURNEY = 'survey';

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

async function choose(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`input[name="${name}"][value="${value}"]`).check();
}

async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await page.locator(`input[name="${name}"]`).fill(value);
}

function uploadForm(page: Page, kind: string) {
  return page.locator('form', { has: page.locator(`input[name="slot"][value$=":${kind}"]`) });
}

describe('the survey at phone size', () => {
  it('the demo member answers for each dependent, uploads a photo, submits and reads the receipt', async () => {
    const creds = credentialsFor('survey-phone');
    const context = await newJourneyContext(browser, PHONE, portal.baseUrl);
    const page = await context.newPage();
    const screens = new ScreenChecker(page, JOURNEY, PHONE);
    try {
      await signUp(page, portal, DEMO_MEMBER, creds);
      await logIn(page, creds.loginId, creds.password);
      await acceptTerms(page);
      await expectHeading(page, 'マイページ');
      expect(await mainText(page)).toMatch(/被扶養者資格調査 提出期限：\d+月\d+日（.）まで・あと30日/);
      await screens.check('mypage-card');

      await page.getByRole('link', { name: '回答をはじめる' }).click();
      await page.waitForURL('**/portal/survey');
      await expectHeading(page, '被扶養者資格調査');
      expect(await mainText(page)).toContain('健保 一郎さん（配偶者・1983年6月10日生）');
      await screens.check('overview');

      // The spouse: a first save with nothing chosen shows the messages, then the answers.
      await page.getByRole('link', { name: /健保 一郎さん/ }).click();
      await expectHeading(page, '健保 一郎さんについての回答');
      await screens.check('dependent');
      await button(page, '保存する').click();
      await page.waitForLoadState('load');
      expect(await mainText(page)).toContain('引き続き扶養を続けますかを選択してください');
      await screens.check('dependent-errors', { errors: true });
      await choose(page, 'continuation', 'continue');
      await choose(page, 'residence', 'together');
      await choose(page, 'livesInJapan', 'yes');
      await choose(page, 'occupation', 'employee');
      await fill(page, { incomeSalary: '９０万', incomePension: '0', incomeBusiness: '0', incomeOther: '0' });
      await choose(page, 'disabled', 'no');
      await button(page, '保存する').click();
      await page.waitForURL('**/portal/survey?done=saved');

      // The student child.
      await page.getByRole('link', { name: /健保 さくら さん|健保 さくらさん/ }).click();
      await choose(page, 'continuation', 'continue');
      await choose(page, 'residence', 'together');
      await choose(page, 'livesInJapan', 'yes');
      await choose(page, 'occupation', 'student');
      await fill(page, { incomeSalary: '0', incomePension: '0', incomeBusiness: '0', incomeOther: '0' });
      await choose(page, 'disabled', 'no');
      await button(page, '保存する').click();
      await page.waitForURL('**/portal/survey?done=saved');
      const overview = await mainText(page);
      expect(overview).toContain('所得証明書（課税・非課税証明書）');
      expect(overview).toContain('直近3か月分の給与明細（または源泉徴収票）');
      expect(overview).toContain('在学証明書（発行から3か月以内）');

      // Documents: a phone photo and PDFs.
      await page.getByRole('link', { name: '書類を提出する' }).click();
      await expectHeading(page, '書類の提出');
      expect(await mainText(page)).toContain('マイナンバー（個人番号）が写っている場合は');
      await screens.check('documents');
      const photo = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#eee' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
      for (const [kind, file] of [
        ['income_certificate', { name: 'kazei.jpg', mimeType: 'image/jpeg', buffer: photo }],
        ['payslips', { name: 'kyuyo.pdf', mimeType: 'application/pdf', buffer: pdf }],
        ['enrolment_certificate', { name: 'zaigaku.pdf', mimeType: 'application/pdf', buffer: pdf }],
      ] as const) {
        const form = uploadForm(page, kind).first();
        await form.locator('input[type="file"]').setInputFiles(file);
        await form.getByRole('button', { name: 'この書類を送信する' }).click();
        await page.waitForURL('**/portal/survey/documents?done=uploaded');
      }
      expect(await page.locator('img[alt="kazei.jpg の縮小画像"]').count()).toBe(1);
      await screens.check('documents-uploaded');

      // Confirm and submit.
      await page.goto('/portal/survey');
      await page.getByRole('link', { name: '提出内容の確認へ' }).click();
      await expectHeading(page, '提出内容の確認');
      expect(await mainText(page)).toContain('900,000円');
      await screens.check('confirm');
      await page.getByLabel('記載内容に相違ありません').check();
      const receiptMail = expectMail(portal.smtp, creds.email, '被扶養者資格調査の提出を受け付けました');
      await button(page, '提出する').click();
      await page.waitForURL('**/portal/survey/submitted');
      await expectHeading(page, '提出を受け付けました');
      const receipt = /\d+-\d{6}/.exec(await mainText(page))?.[0];
      expect(receipt).toBeDefined();
      await screens.check('submitted');
      const mail = await receiptMail;
      expect(mail.text).toContain(`受付番号：${receipt}`);

      await page.goto('/portal/mypage');
      expect(await mainText(page)).toContain('提出済み');
      await expect(page.getByRole('link', { name: '提出内容を見る' }).count()).resolves.toBe(1);
    } finally {
      screens.writeAxeNotes();
      await screens.close();
      await context.close();
    }
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSerious, markupProblems, reflowProblems, runAxe, touchTargetProblems } from '../support/browser/a11y.js';
import { launchBrowser, newJourneyContext, PHONE } from '../support/browser/browser.js';

// The checks every journey relies on must be able to fail: a page with one of each
// defect is served from memory and each check has to name its defect.
const BROKEN_PAGE = `<!DOCTYPE html><html lang="ja"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>壊れたページ</title></head>
<body><main>
<h1>見本</h1><h1>二つ目</h1>
<ol class="steps"><li aria-current="step">1 本人確認</li><li></li></ol>
<div class="error-summary" role="alert"><a href="#nowhere">存在しない項目</a></div>
<form method="post">
  <input name="symbol" id="symbol">
  <label for="loginId">ユーザーID</label><input id="loginId" name="loginId" autocomplete="off">
  <label for="code">認証コード</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric">
  <p class="field__error" id="y-error">入力してください</p>
  <label for="y">Y</label><input id="y" name="y" aria-invalid="true">
  <img src="/nothing.png">
  <div style="width: 600px">幅の広い箱</div>
  <button type="submit" style="height: 20px; padding: 0">送信</button>
</form>
</main></body></html>`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newJourneyContext(browser, PHONE, 'http://e2e.invalid');
  await context.route('http://e2e.invalid/**', (route) =>
    route.request().url().endsWith('/broken') ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: BROKEN_PAGE }) : route.abort(),
  );
  page = await context.newPage();
  await page.goto('/broken');
});

afterAll(async () => {
  await browser?.close();
});

describe('the accessibility checks', () => {
  it('axe reports a missing label and a missing alt text as serious or critical', async () => {
    const ids = (await runAxe(page)).filter(isSerious).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['label', 'image-alt']));
  });

  it('the markup check names each defect', async () => {
    const problems = (await markupProblems(page)).join('\n');
    expect(problems).toContain('<input name="symbol" id="symbol"> has no label');
    expect(problems).toContain('<input name="symbol" id="symbol"> should have inputmode="numeric"');
    expect(problems).toContain('<input name="loginId" id="loginId"> should have autocomplete="username"');
    expect(problems).toContain('<input name="y" id="y"> is aria-invalid but no error message is linked');
    expect(problems).toContain('error message "入力してください" (id "y-error") is not linked');
    expect(problems).toContain('error summary link #nowhere');
    expect(problems).toContain('a step of the step indicator has no text');
    expect(problems).toContain('the page has 2 <h1> headings');
    expect(problems).not.toContain('name="code"');
  });

  it('the touch-target check finds a button lower than 44 px', async () => {
    expect((await touchTargetProblems(page)).join('\n')).toMatch(/touch target <button> "送信" is \d+×20 px/);
  });

  it('the reflow check finds horizontal scrolling at 320 px', async () => {
    await page.setViewportSize({ width: 320, height: 568 });
    expect((await reflowProblems(page, 320)).join('\n')).toMatch(/horizontal scrolling at 320 px: the page is \d+ px wide/);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatViolations, isSerious, markupProblems, reflowProblems, runAxe, touchTargetProblems, type AxeViolation } from './a11y.js';
import { watchPageProblems, type Viewport } from './browser.js';
import { REPO_ROOT } from '../real-server.js';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const SCREENSHOT_DIR = path.join(RESULTS_DIR, 'screenshots');
const AXE_DIR = path.join(RESULTS_DIR, 'axe');

export interface ScreenOptions {
  /** The page shows form errors after a failed submit: the summary must be there (and focused with JS). */
  errors?: boolean;
  /** Exact autocomplete token a field must carry on this page, e.g. { password: 'current-password' }. */
  autocomplete?: Record<string, string>;
}

/** Removes the screenshots and axe notes of one journey from earlier runs. */
export function clearJourneyResults(journey: string): void {
  for (const dir of [SCREENSHOT_DIR, AXE_DIR]) {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir)) if (f.startsWith(`${journey}-`)) fs.rmSync(path.join(dir, f));
  }
}

/**
 * Checks every screen a journey reaches: a full-page screenshot, axe-core (no
 * serious or critical violation), the markup rules, touch targets on phones,
 * no horizontal scrolling at 320 px (phones) and at 200 % zoom (desktop: a
 * 640 px-wide viewport), and nothing the browser refused (CSP) or threw.
 * Failures are soft: the journey goes on, so one run lists every defect.
 */
export class ScreenChecker {
  private count = 0;
  private mirrorPage: Page | undefined;
  private readonly pageProblems: () => string[];
  /** Every axe violation seen, whatever its impact (written to test-results/axe/). */
  readonly allViolations: { screen: string; violations: AxeViolation[] }[] = [];

  constructor(
    readonly page: Page,
    readonly journey: string,
    readonly viewport: Viewport,
  ) {
    this.pageProblems = watchPageProblems(page);
  }

  async check(screen: string, opts: ScreenOptions = {}): Promise<void> {
    const { page, viewport } = this;
    await page.waitForLoadState('load');
    this.count += 1;
    const file = `${this.journey}-${viewport.name}-${String(this.count).padStart(2, '0')}-${screen}.png`;
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), fullPage: true });

    const problems: string[] = [];
    const violations = await runAxe(viewport.javaScriptEnabled ? page : await this.mirror());
    this.allViolations.push({ screen, violations });
    problems.push(...formatViolations(violations.filter(isSerious)));
    problems.push(...(await markupProblems(page, { autocomplete: opts.autocomplete })));

    if (opts.errors) {
      const summary = page.locator('#error-summary, .error-summary');
      if ((await summary.count()) === 0) problems.push('expected an error summary after the failed submit, found none');
      else if (viewport.javaScriptEnabled) {
        const focused = await page.locator('#error-summary, .error-summary').first().evaluate((el) => el.ownerDocument.activeElement === el);
        if (!focused) problems.push('focus is not on the error summary after the failed submit');
      }
    }

    if (viewport.hasTouch) problems.push(...(await touchTargetProblems(page)));
    problems.push(...(await this.reflowAt(viewport.isMobile ? 320 : 640)));
    problems.push(...this.pageProblems());

    expect.soft(problems, `${file}: ${page.url()}\n${problems.join('\n')}`).toEqual([]);
  }

  /**
   * axe needs timers, which do not run in a page with JavaScript disabled. For those
   * journeys axe reads a copy of the same document in a JavaScript-enabled page that
   * loads the same stylesheet but none of the page's scripts.
   */
  private async mirror(): Promise<Page> {
    const { page, viewport } = this;
    if (!this.mirrorPage) {
      const browser = page.context().browser()!;
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        isMobile: viewport.isMobile,
        hasTouch: viewport.hasTouch,
        deviceScaleFactor: viewport.deviceScaleFactor,
        locale: 'ja-JP',
      });
      await context.route('**/public/js/**', (route) => route.abort());
      this.mirrorPage = await context.newPage();
    }
    const url = page.url();
    const html = await page.content();
    await this.mirrorPage.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
    await this.mirrorPage.goto(url);
    return this.mirrorPage;
  }

  async close(): Promise<void> {
    await this.mirrorPage?.context().close();
  }

  /**
   * Phones: 320 px wide (the narrowest phone). Desktop: 640 × 400 CSS px, which
   * is what a 1280 × 800 window shows at 200 % zoom.
   */
  private async reflowAt(width: number): Promise<string[]> {
    const { page, viewport } = this;
    const height = viewport.isMobile ? 568 : 400;
    await page.setViewportSize({ width, height });
    try {
      return await reflowProblems(page, width);
    } finally {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
    }
  }

  /** Writes every axe violation of the journey (any impact) for a person to read. */
  writeAxeNotes(): void {
    fs.mkdirSync(AXE_DIR, { recursive: true });
    const lines = this.allViolations.flatMap(({ screen, violations }) =>
      violations.length === 0 ? [`${screen}: no violations`] : [`${screen}:`, ...formatViolations(violations).map((l) => '  ' + l)],
    );
    fs.writeFileSync(path.join(AXE_DIR, `${this.journey}-${this.viewport.name}.txt`), lines.join('\n') + '\n');
  }
}

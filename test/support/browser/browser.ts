import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); a browser is never downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Viewport {
  /** Used in test names and screenshot file names. */
  name: string;
  width: number;
  height: number;
  isMobile: boolean;
  hasTouch: boolean;
  deviceScaleFactor: number;
  javaScriptEnabled: boolean;
}

export const PHONE: Viewport = { name: 'phone', width: 375, height: 667, isMobile: true, hasTouch: true, deviceScaleFactor: 2, javaScriptEnabled: true };
export const DESKTOP: Viewport = { name: 'desktop', width: 1280, height: 800, isMobile: false, hasTouch: false, deviceScaleFactor: 1, javaScriptEnabled: true };

/** Every journey runs at both. */
export const VIEWPORTS: Viewport[] = [PHONE, DESKTOP];

/** The same two with JavaScript switched off (signup and login must work without it). */
export const NO_JS_VIEWPORTS: Viewport[] = VIEWPORTS.map((v) => ({ ...v, name: `${v.name}-nojs`, javaScriptEnabled: false }));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context (cookies, storage) for one journey at one viewport. The CSP
 * stays on: axe is evaluated through the DevTools protocol, which the page's
 * policy does not govern, so the pages run exactly as a member's browser runs them.
 */
export async function newJourneyContext(browser: Browser, viewport: Viewport, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.isMobile,
    hasTouch: viewport.hasTouch,
    deviceScaleFactor: viewport.deviceScaleFactor,
    javaScriptEnabled: viewport.javaScriptEnabled,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

/** Problems the page itself reports: CSP refusals, script errors, failed requests for our own assets. */
export function watchPageProblems(page: Page): () => string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    // A form answering 4xx with its errors is logged as "Failed to load resource"; assets are checked below.
    if (msg.type() === 'error' && !text.startsWith('Failed to load resource')) problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('response', (res) => {
    const url = res.url();
    if (url.includes('/public/') && res.status() >= 400) problems.push(`asset ${url} answered ${res.status()}`);
  });
  return () => problems.splice(0, problems.length);
}

import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/*
 * The functions handed to page.evaluate run in the browser. The project's TypeScript
 * program is a Node one (no DOM library, which would change the types of src/ too), so
 * the few browser globals they touch are declared here, loosely, for this module only.
 */
type DomNode = any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: DomNode;
declare const window: DomNode;
declare function getComputedStyle(el: DomNode): { visibility: string; display: string };
declare const HTMLInputElement: DomNode;
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page as it is now. The source is evaluated through the
 * DevTools protocol (page.evaluate), which the page's CSP does not block and which
 * works with JavaScript disabled too; a <script> tag would be refused by the CSP.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = window.axe as { run(ctx: DomNode, opts: object): Promise<{ violations: AxeViolation[] }> };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

export function isSerious(v: AxeViolation): boolean {
  return v.impact === 'serious' || v.impact === 'critical';
}

export function formatViolations(violations: AxeViolation[]): string[] {
  return violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      at ${n.target.join(' ')}: ${n.html.slice(0, 160)}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`)
      .join('\n');
    return `axe ${v.impact} [${v.id}] ${v.help} (${v.nodes.length} node(s)) ${v.helpUrl}\n${nodes}`;
  });
}

/** Which autocomplete tokens a field name implies (the forms' field names). */
export const AUTOCOMPLETE_BY_NAME: Record<string, string[]> = {
  loginId: ['username'],
  password: ['current-password', 'new-password'],
  passwordConfirm: ['new-password'],
  currentPassword: ['current-password'],
  newPassword: ['new-password'],
  newPasswordConfirm: ['new-password'],
  email: ['email'],
  emailConfirm: ['email'],
  newEmail: ['email'],
  newEmailConfirm: ['email'],
  code: ['one-time-code'],
};

/** Fields on which a phone must offer the numeric keyboard. */
export const NUMERIC_FIELDS = ['symbol', 'number', 'code'];

/**
 * Markup rules checked in the page: every visible control has a visible label tied
 * to it, errors are tied to their field, the error summary links to real fields,
 * the step indicator is text, numeric keyboards and autocomplete tokens are set.
 * Returns one readable line per problem.
 */
export async function markupProblems(page: Page, opts: { autocomplete?: Record<string, string> } = {}): Promise<string[]> {
  return page.evaluate(
    ({ byName, numeric, exact }) => {
      const problems: string[] = [];
      const visible = (el: DomNode) => {
        const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none';
      };
      const describe = (el: DomNode) => {
        const name = el.getAttribute('name');
        return `<${el.tagName.toLowerCase()}${name ? ` name="${name}"` : ''}${el.id ? ` id="${el.id}"` : ''}>`;
      };
      const textOf = (id: string) => document.getElementById(id)?.textContent?.trim() ?? '';
      const controls = ([...document.querySelectorAll('input, select, textarea')] as DomNode[]).filter(
        (el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type) && visible(el),
      );

      for (const el of controls) {
        const labels = ([...(el.labels ?? [])] as DomNode[]).filter((l) => (l.textContent ?? '').trim() !== '');
        const labelledBy = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
        const labelledText = labelledBy.map(textOf).join('');
        if (labels.length === 0 && labelledText === '') {
          problems.push(`${describe(el)} has no label (no <label for> and no aria-labelledby with text)`);
        } else if (labels.length > 0 && !labels.some(visible) && labelledText === '') {
          problems.push(`${describe(el)} has only a visually hidden label`);
        }
        const describedBy: string[] = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        for (const id of describedBy) {
          if (!document.getElementById(id)) problems.push(`${describe(el)} aria-describedby points at missing id "${id}"`);
        }
        if (el.getAttribute('aria-invalid') === 'true' && !describedBy.some((id) => textOf(id) !== '' && /error/i.test(id + ' ' + document.getElementById(id)!.className))) {
          problems.push(`${describe(el)} is aria-invalid but no error message is linked with aria-describedby`);
        }
        const name = el.getAttribute('name') ?? '';
        if (numeric.includes(name) && el.tagName === 'INPUT' && el.getAttribute('inputmode') !== 'numeric') {
          problems.push(`${describe(el)} should have inputmode="numeric" (has ${JSON.stringify(el.getAttribute('inputmode'))})`);
        }
        const want = exact[name] ? [exact[name]!] : byName[name];
        if (want && el.tagName === 'INPUT') {
          const tokens = (el.getAttribute('autocomplete') ?? '').trim().split(/\s+/);
          if (!want.some((w) => tokens.includes(w))) {
            problems.push(`${describe(el)} should have autocomplete="${want.join('" or "')}" (has ${JSON.stringify(el.getAttribute('autocomplete'))})`);
          }
        }
      }

      // Every visible field error is announced with its field.
      const referenced = new Set(controls.flatMap((el) => (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)));
      for (const err of document.querySelectorAll('.field__error') as DomNode[]) {
        if (!visible(err)) continue;
        if (!err.id || !referenced.has(err.id)) {
          // An error for a group of controls (e.g. the birthdate pulldowns) may be referenced by any of them.
          const inFieldset = err.closest('fieldset');
          const groupRef = inFieldset && err.id && inFieldset.getAttribute('aria-describedby')?.split(/\s+/).includes(err.id);
          if (!groupRef) problems.push(`error message "${(err.textContent ?? '').trim().slice(0, 60)}" (id "${err.id}") is not linked to its field with aria-describedby`);
        }
      }

      const summary = document.querySelector('.error-summary, #error-summary');
      if (summary) {
        if (summary.getAttribute('role') !== 'alert' && summary.getAttribute('tabindex') === null) {
          problems.push('the error summary is neither role="alert" nor focusable');
        }
        for (const a of summary.querySelectorAll('a[href^="#"]') as DomNode[]) {
          const id = decodeURIComponent(a.getAttribute('href')!.slice(1));
          if (id && !document.getElementById(id)) problems.push(`error summary link ${a.getAttribute('href')} ("${(a.textContent ?? '').trim().slice(0, 40)}") points at no element`);
        }
      }

      const h1s = ([...document.querySelectorAll('h1')] as DomNode[]).map((h) => (h.textContent ?? '').trim());
      if (h1s.length !== 1) problems.push(`the page has ${h1s.length} <h1> headings (${h1s.map((t) => JSON.stringify(t)).join(', ')}); it should have exactly one`);

      for (const steps of document.querySelectorAll('.steps') as DomNode[]) {
        const items = [...steps.querySelectorAll('li')] as DomNode[];
        if (items.length === 0) problems.push('the step indicator has no steps');
        for (const li of items) if ((li.textContent ?? '').trim() === '') problems.push('a step of the step indicator has no text');
        if (!items.some((li) => li.getAttribute('aria-current') === 'step')) problems.push('no step of the step indicator has aria-current="step"');
      }
      return problems;
    },
    { byName: AUTOCOMPLETE_BY_NAME, numeric: NUMERIC_FIELDS, exact: opts.autocomplete ?? {} },
  );
}

/** Buttons, links styled as buttons and form controls must be at least 44 × 44 CSS px on a phone. */
export async function touchTargetProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const MIN = 44;
    const selector = 'button, a.button, [role="button"], input:not([type="hidden"]), select, textarea, summary';
    for (const el of document.querySelectorAll(selector) as DomNode[]) {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      if (r.width <= 1 || r.height <= 1 || s.visibility === 'hidden' || s.display === 'none') continue;
      if (el.closest('.visually-hidden, .skip-link')) continue;
      let w = r.width;
      let h = r.height;
      // A checkbox or radio is tapped together with its label.
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        for (const label of (el.labels ?? []) as DomNode[]) {
          const lr = label.getBoundingClientRect();
          w = Math.max(w, lr.width);
          h = Math.max(h, lr.height);
        }
      }
      if (w < MIN - 0.5 || h < MIN - 0.5) {
        const text = (el.textContent ?? '').trim().slice(0, 30) || el.getAttribute('name') || el.getAttribute('type') || '';
        problems.push(`touch target <${el.tagName.toLowerCase()}> "${text}" is ${Math.round(w)}×${Math.round(h)} px (< ${MIN})`);
      }
    }
    return problems;
  });
}

/** Horizontal scrolling at the current viewport width, and submit buttons out of reach. */
export async function reflowProblems(page: Page, width: number): Promise<string[]> {
  return page.evaluate((width) => {
    const problems: string[] = [];
    const sw = document.documentElement.scrollWidth;
    if (sw > width) {
      const wide = ([...document.querySelectorAll('body *')] as DomNode[])
        .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !el.closest('.visually-hidden, .skip-link, .table-wrap'))
        .slice(0, 3)
        .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
      problems.push(`horizontal scrolling at ${width} px: the page is ${sw} px wide (widest: ${wide.join(', ')})`);
    }
    for (const b of document.querySelectorAll('main button[type="submit"], main input[type="submit"], main form button:not([type])') as DomNode[]) {
      const r = b.getBoundingClientRect();
      if (r.width <= 1) continue;
      if (r.left < -0.5 || r.right > width + 0.5) problems.push(`submit button "${(b.textContent ?? '').trim()}" is outside the ${width} px viewport (${Math.round(r.left)}–${Math.round(r.right)})`);
    }
    return problems;
  }, width);
}

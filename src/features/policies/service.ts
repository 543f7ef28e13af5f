import fs from 'node:fs';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { createTermsService, renderPolicyDocument } from '../terms/service.js';
import { standardTerms } from '../terms/standard-terms.js';

// Read from src/ both when running from src (tests) and from dist (the same depth).
const PRIVACY_FILE = new URL('../../../src/features/policies/privacy.md', import.meta.url);
/** Where no society is known yet (several served, no ?insurer=CODE): the documents speak generally. */
const ANY_SOCIETY = 'ご加入の健康保険組合';

export interface PolicyPage {
  html: string;
  /** The society's published version, when there is one. */
  version?: number;
  publishedAt?: number;
}

/**
 * The terms of use and the privacy statement as anyone may read them before signing up:
 * the society's newest published terms (the standard ones until it publishes its own), and
 * the portal's privacy statement with the society's name.
 */
export function createPoliciesService(deps: { db: Db; clock: Clock }) {
  const terms = createTermsService(deps);
  let privacyTemplate: string | undefined;
  const rendered = new Map<string, string>();
  const render = (key: string, text: () => string) => {
    let html = rendered.get(key);
    if (html === undefined) rendered.set(key, (html = renderPolicyDocument(text())));
    return html;
  };

  function termsFor(insurer: { id: number; name: string } | undefined): PolicyPage {
    const latest = insurer ? terms.latest(insurer.id) : undefined;
    if (latest) return { html: latest.html, version: latest.version, publishedAt: latest.publishedAt };
    const name = insurer?.name ?? ANY_SOCIETY;
    return { html: render(`terms\n${name}`, () => standardTerms(name)) };
  }

  function privacyFor(insurer: { name: string } | undefined): PolicyPage {
    const name = insurer?.name ?? ANY_SOCIETY;
    privacyTemplate ??= fs.readFileSync(PRIVACY_FILE, 'utf8');
    return { html: render(`privacy\n${name}`, () => privacyTemplate!.replaceAll('{{society}}', name)) };
  }

  return { termsFor, privacyFor };
}

import MarkdownIt from 'markdown-it';
import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { createTermsQueries } from './queries.js';

/** Largest terms text accepted by `portal terms publish` (a long 利用規約 is ~30 kB). */
export const TERMS_MAX_CHARS = 200_000;

// Raw HTML off: the terms are the society's text, but the page must stay safe whatever it holds.
const markdown = new MarkdownIt({ html: false, linkify: true });
// The page's own <h1> is 利用規約; the text's headings sit one level below it.
markdown.core.ruler.push('demote_headings', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 1)}`;
    }
  }
});

/** A Markdown document (terms, the privacy statement) as safe HTML, headings below the page's <h1>. */
export function renderPolicyDocument(markdownText: string): string {
  return markdown.render(markdownText);
}

export interface TermsForPage {
  id: number;
  version: number;
  publishedAt: number;
  /** Safe HTML (markdown-it with raw HTML disabled). */
  html: string;
}

/**
 * Terms of use, versioned per insurer. Publishing adds the next version; a member
 * must accept the insurer's newest version before any page behind login.
 */
export function createTermsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const q = createTermsQueries(db);
  // Versions never change once published, so their HTML can be kept.
  const rendered = new Map<number, string>();

  function publish(insurerId: number, markdownText: string): { id: number; version: number } {
    return inTransaction(db, () => {
      const version = q.nextVersionNumber(insurerId);
      const id = q.insertVersion({ insurerId, version, markdown: markdownText, now: clock.now() });
      return { id, version };
    });
  }

  function latest(insurerId: number): TermsForPage | undefined {
    const row = q.latest(insurerId);
    if (!row) return undefined;
    let html = rendered.get(row.id);
    if (html === undefined) {
      html = markdown.render(row.body_markdown);
      rendered.set(row.id, html);
    }
    return { id: row.id, version: row.version, publishedAt: row.published_at, html };
  }

  /** When the account accepted this version, if it did. */
  function acceptedAt(accountId: number, versionId: number): number | undefined {
    return q.acceptance(accountId, versionId)?.accepted_at;
  }

  /** True when the insurer has terms and the account has not accepted the newest version. */
  function needsAcceptance(accountId: number, insurerId: number): boolean {
    const id = q.latestId(insurerId);
    return id !== undefined && q.acceptance(accountId, id) === undefined;
  }

  /**
   * Records acceptance of the version the member was shown (kept for ever). Returns
   * false when that version is not one of this insurer's (a forged or stale form).
   */
  function accept(a: { accountId: number; insurerId: number; versionId: number; clientIp: string }): boolean {
    return inTransaction(db, () => {
      const version = q.byId(a.versionId);
      if (!version || version.insurer_id !== a.insurerId) return false;
      q.insertAcceptance({ accountId: a.accountId, versionId: a.versionId, now: clock.now(), clientIp: a.clientIp });
      return true;
    });
  }

  return { publish, latest, acceptedAt, needsAcceptance, accept };
}

export type TermsService = ReturnType<typeof createTermsService>;

import type { Application, Response } from 'express';
import { randomId } from '../lib/tokens.js';

/**
 * Pages that every visitor without a session sees alike (the login page, the first signup
 * step) are rendered once and kept as HTML: on deadline day they are most of the traffic,
 * and rendering them again each time cost more than all the rest of the request. Only the
 * CSRF token differs between two visitors; it is rendered as a marker and put in per request.
 *
 * A page is kept under the key its route gives (never the URL a client typed: Express
 * ignores case and trailing slashes, so one page has endless spellings) and is rendered
 * from the locals the route passes and nothing else — not res.locals, which may hold one
 * visitor's data — so nothing of one visitor can reach another's page. `inputs` are what
 * the page depends on (the insurer of the layout, a list of pulldown options…), compared by
 * identity: when any of them is another object, the page is rendered afresh. At most
 * MAX_PAGES pages are kept. Off in development, where templates change under a running server.
 */
const TOKEN_MARK = `csrf-mark-${randomId(12)}`;
const PAGE_CACHE = 'page cache';
const MAX_PAGES = 16;

interface Entry {
  inputs: readonly unknown[];
  /** The page's UTF-8 bytes, split at the token marks. */
  parts: Buffer[];
}

const caches = new WeakMap<Application, Map<string, Entry>>();

export function enablePageCache(app: Application, enabled: boolean): void {
  app.set(PAGE_CACHE, enabled);
}

/** How many pages are kept (for the tests of the bound). */
export function keptPageCount(app: Application): number {
  return caches.get(app)?.size ?? 0;
}

export interface CachedPage {
  /** Names the page among the kept ones; a route's own constant. */
  key: string;
  view: string;
  /** Everything the template reads, including the layout's `insurer` and `currentPath`. */
  locals: Record<string, unknown>;
  inputs: readonly unknown[];
}

export function sendCachedPage(res: Response, page: CachedPage): Promise<void> {
  const app = res.app;
  const csrfToken = String(res.locals.csrfToken);
  const locals = { ...page.locals, csrfToken: TOKEN_MARK };
  if (!app.get(PAGE_CACHE)) return renderParts(app, page.view, locals).then((parts) => send(res, parts, csrfToken));
  let cache = caches.get(app);
  if (!cache) caches.set(app, (cache = new Map()));
  const hit = cache.get(page.key);
  if (hit && hit.inputs.length === page.inputs.length && hit.inputs.every((v, i) => v === page.inputs[i])) {
    send(res, hit.parts, csrfToken);
    return Promise.resolve();
  }
  return renderParts(app, page.view, locals).then((parts) => {
    if (!cache.has(page.key) && cache.size >= MAX_PAGES) cache.delete(cache.keys().next().value!);
    cache.set(page.key, { inputs: page.inputs, parts });
    send(res, parts, csrfToken);
  });
}

/** Kept as bytes: Express sends a Buffer as it is, with no charset to work out and no string to encode per request. */
function send(res: Response, parts: Buffer[], csrfToken: string): void {
  const token = Buffer.from(csrfToken);
  const page: Buffer[] = [parts[0]!];
  for (const part of parts.slice(1)) page.push(token, part);
  res.type('html').send(Buffer.concat(page));
}

/** app.render sees app.locals and `locals` only: never a visitor's res.locals. */
function renderParts(app: Application, view: string, locals: Record<string, unknown>): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (err, html) => (err ? reject(err) : resolve(html.split(TOKEN_MARK).map((part) => Buffer.from(part)))));
  });
}

import type { Application, Response } from 'express';
import { randomId } from '../lib/tokens.js';

/**
 * Pages that every visitor without a session sees alike (the login page, the first signup
 * step) are rendered once and kept as HTML: on deadline day they are most of the traffic,
 * and rendering them again each time cost more than all the rest of the request. Only the
 * CSRF token differs between two visitors; it is rendered as a marker and put in per request.
 *
 * The caller promises that the page depends on nothing but `view`, `locals`, the request's
 * path and `inputs`, each compared by identity (the insurer object of the layout, a list of
 * pulldown options…): when any of them is another object, the page is rendered afresh.
 * Off in development, where templates change under a running server.
 */
const TOKEN_MARK = `csrf-mark-${randomId(12)}`;
const PAGE_CACHE = 'page cache';

interface Entry {
  inputs: readonly unknown[];
  /** The page's UTF-8 bytes, split at the token marks. */
  parts: Buffer[];
}

const caches = new WeakMap<Application, Map<string, Entry>>();

export function enablePageCache(app: Application, enabled: boolean): void {
  app.set(PAGE_CACHE, enabled);
}

export function sendCachedPage(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
  inputs: readonly unknown[],
): Promise<void> {
  const app = res.app;
  if (!app.get(PAGE_CACHE)) {
    res.render(view, locals);
    return Promise.resolve();
  }
  let cache = caches.get(app);
  if (!cache) caches.set(app, (cache = new Map()));
  const key = `${view}\n${String(res.locals.currentPath)}`;
  const allInputs = [res.locals.insurer, ...inputs];
  const hit = cache.get(key);
  // Kept as bytes: Express sends a Buffer as it is, with no charset to work out and no
  // string to encode on every request.
  const send = (parts: Buffer[]) => {
    const token = Buffer.from(String(res.locals.csrfToken));
    const page: Buffer[] = [parts[0]!];
    for (const part of parts.slice(1)) page.push(token, part);
    res.type('html').send(Buffer.concat(page));
  };
  if (hit && hit.inputs.length === allInputs.length && hit.inputs.every((v, i) => v === allInputs[i])) {
    send(hit.parts);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    res.render(view, { ...locals, csrfToken: TOKEN_MARK }, (err, html) => {
      if (err) return reject(err);
      const parts = html.split(TOKEN_MARK).map((part) => Buffer.from(part));
      cache.set(key, { inputs: allInputs, parts });
      send(parts);
      resolve();
    });
  });
}

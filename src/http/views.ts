import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { enablePageCache } from './page-cache.js';
import { maskEmail } from '../lib/mask.js';
import { formatDate, formatDateTime, formatTime } from '../lib/time.js';

export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** Filters shared by pages and mails. Times are always shown in Japan time. */
export function addFilters(env: nunjucks.Environment): nunjucks.Environment {
  env.addFilter('dateTime', (ms: number | null | undefined) => (ms == null ? '' : formatDateTime(ms)));
  env.addFilter('time', (ms: number | null | undefined) => (ms == null ? '' : formatTime(ms)));
  env.addFilter('date', (ms: number | null | undefined) => (ms == null ? '' : formatDate(ms)));
  env.addFilter('maskEmail', (email: string | null | undefined) => maskEmail(email));
  return env;
}

/** Nunjucks with autoescape for every page; templates are cached outside development. */
export function configureViews(app: Express, opts: { watch: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: opts.watch }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  addFilters(env);
  env.express(app);
  app.set('view engine', 'njk');
  enablePageCache(app, !opts.watch);
  return env;
}

import fs from 'node:fs';
import express from 'express';
import { securityHeaders } from '../src/http/security.js';
import { randomId } from '../src/lib/tokens.js';

/**
 * The floor of the fixed stack, in a process of its own: what Express and helmet cost for a
 * page like `GET /portal/` before any of our code runs. Same Express settings and helmet
 * configuration as the portal, the same page (FLOOR_PAGE: the HTML the portal served, so the
 * same bytes and characters), and one fresh cookie set per response, as the portal's CSRF
 * cookie is.
 */
const page = fs.readFileSync(process.env.FLOOR_PAGE ?? '', 'utf8');
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(securityHeaders({ isProduction: true }));
app.get('/', (_req, res) => {
  res.cookie('floor', randomId(16), { httpOnly: true, sameSite: 'lax', secure: true });
  res.type('html').send(page);
});
app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
// Exit (rather than die) on SIGTERM, so that `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));

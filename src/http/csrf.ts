import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from './errors.js';

/**
 * Synchronizer-token CSRF protection (csrf-sync): the token lives in the
 * session and every POST form carries it as `_csrf`. Templates read it from
 * `csrfToken` in res.locals.
 */
export function csrfProtection(): RequestHandler[] {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    size: 32,
    getTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });
  const protect: RequestHandler = (req, res, next) => {
    csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (err) return next(new HttpError(403, 'csrf'));
      res.locals.csrfToken = generateToken(req);
      next();
    });
  };
  return [protect];
}

/**
 * Refuses state-changing requests from another site: a second line behind
 * the token, and the one that stops login CSRF before any session exists.
 * Browsers that send Fetch Metadata are judged by `Sec-Fetch-Site` (pages
 * with `Referrer-Policy: no-referrer` post with `Origin: null`, so Origin
 * alone cannot tell); others by Origin, or lacking it, Referer.
 */
export function sameOriginCheck(baseUrl: string): RequestHandler {
  const configured = new URL(baseUrl).origin;
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const fetchSite = req.get('sec-fetch-site');
    if (fetchSite !== undefined) {
      return fetchSite === 'same-origin' ? next() : next(new HttpError(403, 'origin'));
    }
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    const origin = req.get('origin') ?? refererOrigin(req.get('referer'));
    if (origin === undefined) return next(); // non-browser clients; the CSRF token still applies
    if (origin === configured || origin === own) return next();
    next(new HttpError(403, 'origin'));
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'invalid';
  }
}

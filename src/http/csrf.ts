import crypto from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { deriveKey, randomId } from '../lib/tokens.js';
import { readCookie } from './cookies.js';
import { HttpError } from './errors.js';
import { formBody } from './forms.js';
import type { SessionPolicy } from './session.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** 128-bit nonce, base64url. */
const NONCE_BYTES = 16;
const NONCE = /^[A-Za-z0-9_-]{22}$/;

type Rotate = (req: Request, res: Response) => void;
/** How to draw a new nonce for a response: its audience's, set by csrfProtection on every request. */
const rotations = new WeakMap<Response, Rotate>();

/**
 * Signed double-submit CSRF protection (OWASP's recommended stateless pattern): the browser
 * holds a random nonce in an HttpOnly cookie of this site (`__Host-` in production, so no
 * other host can plant one), and every POST form carries `_csrf` = HMAC(key, nonce), which
 * only this server can compute. A page view therefore writes nothing on the server: an
 * anonymous visitor costs no session row. The nonce is drawn afresh whenever the session is
 * regenerated (login, signup completion, password reset), so a token seen before login is
 * worthless after it. Templates read the token from `csrfToken` in res.locals.
 */
export function csrfProtection(config: Config, policy: SessionPolicy): RequestHandler {
  const key = deriveKey(config.sessionSecret, `${policy.secretLabel}:csrf`);
  const cookie: CookieOptions = { path: policy.cookiePath, httpOnly: true, sameSite: 'lax', secure: config.isProduction };
  const tokenOf = (nonce: string) => crypto.createHmac('sha256', key).update(nonce).digest('base64url');
  const rotate: Rotate = (req, res) => offerToken(res, issue(req, res));

  function issue(req: Request, res: Response): string {
    const nonce = randomId(NONCE_BYTES);
    // Like the session cookie, a Secure cookie is only set over HTTPS.
    if (!cookie.secure || req.secure) res.cookie(policy.csrfCookieName, nonce, cookie);
    return nonce;
  }

  return (req, res, next) => {
    let nonce = readCookie(req.headers.cookie, policy.csrfCookieName);
    if (nonce !== undefined && !NONCE.test(nonce)) nonce = undefined;
    if (!SAFE_METHODS.has(req.method)) {
      // A multipart form (document upload) is streamed by its route, after this check: such a
      // form carries its token in its action URL instead, so the check holds before one byte of
      // a file is read. Request logs drop query strings.
      const sent = req.is('multipart/form-data') ? req.query._csrf : formBody(req)._csrf;
      if (nonce === undefined || typeof sent !== 'string' || !sameToken(sent, tokenOf(nonce))) {
        if (nonce === undefined) issue(req, res); // so the page the member goes back to works
        return next(new HttpError(403, 'csrf'));
      }
    }
    nonce ??= issue(req, res);
    offerToken(res, nonce);
    rotations.set(res, rotate);
    next();
  };

  /** The token is computed when a page first shows it: a POST that redirects never needs one. */
  function offerToken(res: Response, nonce: string): void {
    let token: string | undefined;
    Object.defineProperty(res.locals, 'csrfToken', { get: () => (token ??= tokenOf(nonce)), enumerable: true, configurable: true });
  }
}

/**
 * Draws a new CSRF nonce cookie and token for this response, so no token seen before survives.
 * regenerateSession (session.ts) calls it at every regeneration: login, signup completion,
 * password reset. Throws on a request csrfProtection did not see: a rotation is never skipped.
 */
export function rotateCsrfToken(req: Request, res: Response): void {
  const rotate = rotations.get(res);
  if (!rotate) throw new Error('rotateCsrfToken used on a request without csrfProtection');
  rotate(req, res);
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
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
    if (SAFE_METHODS.has(req.method)) return next();
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

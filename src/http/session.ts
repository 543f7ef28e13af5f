import type { Request, RequestHandler, Response } from 'express';
import session, { type Session, type SessionData } from 'express-session';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { HOUR, MINUTE, type Clock } from '../lib/clock.js';
import { deriveKey, randomId } from '../lib/tokens.js';
import { readCookie } from './cookies.js';
import { rotateCsrfToken } from './csrf.js';
import { SqliteSessionStore } from './session-store.js';

export interface SessionPolicy {
  cookieName: string;
  /** The CSRF nonce cookie (csrf.ts), on the same path. */
  csrfCookieName: string;
  /** Derives this audience's signing key from SESSION_SECRET, so one side's cookie never verifies on the other. */
  secretLabel: string;
  cookiePath: string;
  idleMs: number;
  absoluteMs: number;
}

/** SECURITY.md "Limits as implemented": member 30 min idle / 12 h absolute, staff 15 min / 8 h. */
export function memberSessionPolicy(config: Config): SessionPolicy {
  return {
    // __Host- binds the cookie to this exact origin over HTTPS (no Domain, Path=/).
    cookieName: config.isProduction ? '__Host-portal' : 'portal.sid',
    csrfCookieName: config.isProduction ? '__Host-portal-csrf' : 'portal.csrf',
    secretLabel: 'member-session',
    cookiePath: '/',
    idleMs: 30 * MINUTE,
    absoluteMs: 12 * HOUR,
  };
}

export function staffSessionPolicy(config: Config): SessionPolicy {
  return {
    cookieName: config.isProduction ? '__Secure-staff' : 'staff.sid',
    csrfCookieName: config.isProduction ? '__Secure-staff-csrf' : 'staff.csrf',
    secretLabel: 'staff-session',
    cookiePath: '/staff',
    idleMs: 15 * MINUTE,
    absoluteMs: 8 * HOUR,
  };
}

/**
 * How often a busy session's last-request time is written back. Idle time is measured from
 * the recorded time, so a session ends between 29 min 55 s and 30 min after its last request
 * (never later), and a member clicking through pages costs a session write every 5 s at most
 * instead of one per request.
 */
export const LAST_SEEN_STEP_MS = 5_000;

/**
 * express-session with the cookie settings of SECURITY.md, followed by the
 * server-side idle and absolute limits measured on the injected clock.
 * Cookies carry no Max-Age: they end with the browser, the server ends them sooner.
 * A session is stored only once something is put in it (saveUninitialized: false):
 * a visitor who merely opens a page costs no row.
 */
export function sessionMiddleware(
  deps: { config: Config; db: Db; clock: Clock },
  policy: SessionPolicy,
): RequestHandler {
  // Rows outlive the idle window so the limits below can tell an expired session from none.
  const store = new SqliteSessionStore(deps.db, deps.clock, policy.absoluteMs);
  const base = session({
    name: policy.cookieName,
    secret: deriveKey(deps.config.sessionSecret, policy.secretLabel).toString('base64url'),
    store,
    // 192 bits, as express-session's own default, from the batched generator.
    genid: () => randomId(24),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    proxy: deps.config.trustProxy !== false ? true : undefined,
    cookie: {
      path: policy.cookiePath,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.isProduction,
    },
  });
  const limits: RequestHandler = (req, _res, next) => {
    const s = req.session;
    // Never stored: nothing to expire (the store stamps both times at the first save).
    if (s.startedAt === undefined) return next();
    const now = deps.clock.now();
    const last = s.lastSeenAt ?? s.startedAt;
    if (now - last > policy.idleMs || now - s.startedAt > policy.absoluteMs) {
      const signedIn = s.accountId !== undefined || s.staffId !== undefined;
      // Expired: start afresh (new id, no data), remembering only to say so.
      s.regenerate((err) => {
        if (err) return next(err);
        if (signedIn) req.session.expired = true;
        next();
      });
      return;
    }
    if (now - last >= LAST_SEEN_STEP_MS) s.lastSeenAt = now;
    next();
  };
  return (req, res, next) => {
    if (readCookie(req.headers.cookie, policy.cookieName) === undefined) {
      req.session = lazySession(req, res, base);
      return next();
    }
    base(req, res, (err?: unknown) => (err ? next(err) : limits(req, res, next)));
  };
}

const SESSION_MEMBERS = new Set<string | symbol>(['id', 'cookie', 'regenerate', 'destroy', 'reload', 'resetMaxAge', 'save', 'touch']);

/**
 * A request without a session cookie has no session to load, yet express-session would build
 * an empty one in memory, hash it and hook the response: for an anonymous page view that cost
 * more than rendering the page. Such a request gets a stand-in that reads as an empty session.
 * The first write, or any use of the session itself (its id, cookie, regenerate, save,
 * destroy…), runs express-session for the request there and then (with no cookie it starts
 * synchronously) and from then on the stand-in forwards to the real session, which behaves
 * exactly as if it had been there from the start.
 */
function lazySession(req: Request, res: Response, base: RequestHandler): Session & Partial<SessionData> {
  let started = false;
  const real = (): Session & Partial<SessionData> => {
    if (!started) {
      started = true;
      // express-session leaves alone a request that already has a session.
      delete (req as { session?: unknown }).session;
      let failure: unknown;
      void base(req, res, (err?: unknown) => {
        failure = err;
      });
      if (failure !== undefined || !req.session) throw failure ?? new Error('express-session did not start a session');
    }
    return req.session;
  };
  const forwarded = (value: unknown, self: object) => (typeof value === 'function' ? value.bind(self) : value);
  // A stand-in never started was never stored and holds nothing: regenerating it is starting
  // it (a new id), with no store delete of an id the store never had (the identity check's case).
  const regenerate = (callback: (err?: unknown) => void) => {
    try {
      real();
    } catch (err) {
      return callback(err);
    }
    callback();
  };
  return new Proxy({} as Session & Partial<SessionData>, {
    get: (_t, prop) => {
      if (!started && prop === 'regenerate') return regenerate;
      if (!started && !SESSION_MEMBERS.has(prop)) return undefined;
      const s = real();
      return forwarded(Reflect.get(s, prop), s);
    },
    has: (_t, prop) => (started ? Reflect.has(real(), prop) : SESSION_MEMBERS.has(prop)),
    set: (_t, prop, value) => Reflect.set(real(), prop, value),
    deleteProperty: (_t, prop) => (started ? Reflect.deleteProperty(real(), prop) : true),
    defineProperty: (_t, prop, descriptor) => Reflect.defineProperty(real(), prop, descriptor),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_t, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), prop);
      return d && { ...d, configurable: true };
    },
  });
}

/**
 * Regenerates the session id at login (no fixation) and starts the absolute
 * limit afresh, keeping nothing of the anonymous session but what `keep` names.
 * The CSRF nonce is drawn afresh too, so no token seen before survives it.
 */
export async function regenerateSession(req: Request, res: Response, now: number, keep: Partial<SessionData> = {}): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  Object.assign(req.session, keep, { startedAt: now, lastSeenAt: now });
  rotateCsrfToken(req, res);
}

export function destroySession(req: Express.Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.destroy((err) => (err ? reject(err) : resolve()));
  });
}

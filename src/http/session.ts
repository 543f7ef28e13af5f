import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { HOUR, MINUTE, type Clock } from '../lib/clock.js';
import { SqliteSessionStore } from './session-store.js';

declare module 'express-session' {
  interface SessionData {
    /** When this session was created or last regenerated (login), for the absolute limit. */
    startedAt: number;
    /** Last request, for the idle limit. */
    lastSeenAt: number;
    /** Set when the previous session ran out, so the login page can say so. */
    expired?: boolean;
    /** Logged-in member account. */
    accountId?: number;
    /** Logged-in staff member. */
    staffId?: number;
    /** The insurer whose name and contacts the layout shows. */
    insurerId?: number;
  }
}

export interface SessionPolicy {
  cookieName: string;
  /** Derives this audience's signing key from SESSION_SECRET, so one side's cookie never verifies on the other. */
  secretLabel: string;
  cookiePath: string;
  idleMs: number;
  absoluteMs: number;
}

/** DESIGN.md "Limits": member 30 min idle / 12 h absolute, staff 15 min / 8 h. */
export function memberSessionPolicy(config: Config): SessionPolicy {
  return {
    // __Host- binds the cookie to this exact origin over HTTPS (no Domain, Path=/).
    cookieName: config.isProduction ? '__Host-portal' : 'portal.sid',
    secretLabel: 'member-session',
    cookiePath: '/',
    idleMs: 30 * MINUTE,
    absoluteMs: 12 * HOUR,
  };
}

export function staffSessionPolicy(config: Config): SessionPolicy {
  return {
    cookieName: config.isProduction ? '__Secure-staff' : 'staff.sid',
    secretLabel: 'staff-session',
    cookiePath: '/staff',
    idleMs: 15 * MINUTE,
    absoluteMs: 8 * HOUR,
  };
}

/**
 * express-session with the cookie settings of DESIGN.md, followed by the
 * server-side idle and absolute limits measured on the injected clock.
 * Cookies carry no Max-Age: they end with the browser, the server ends them sooner.
 */
export function sessionMiddleware(
  deps: { config: Config; db: Db; clock: Clock },
  policy: SessionPolicy,
): RequestHandler[] {
  // Rows outlive the idle window so the limits below can tell an expired session from none.
  const store = new SqliteSessionStore(deps.db, deps.clock, policy.absoluteMs);
  const base = session({
    name: policy.cookieName,
    secret: crypto.createHmac('sha256', deps.config.sessionSecret).update(policy.secretLabel).digest('base64url'),
    store,
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
  const limits: RequestHandler = (req, res, next) => {
    const s = req.session;
    const now = deps.clock.now();
    const started = s.startedAt ?? now;
    const last = s.lastSeenAt ?? now;
    const signedIn = s.accountId !== undefined || s.staffId !== undefined;
    if (now - last > policy.idleMs || now - started > policy.absoluteMs) {
      // Expired: start afresh (new id, no data), remembering only to say so.
      s.regenerate((err) => {
        if (err) return next(err);
        req.session.startedAt = now;
        req.session.lastSeenAt = now;
        if (signedIn) req.session.expired = true;
        next();
      });
      return;
    }
    if (s.startedAt === undefined) s.startedAt = now;
    s.lastSeenAt = now;
    next();
  };
  return [base, limits];
}

/**
 * Regenerates the session id at login (no fixation) and starts the absolute
 * limit afresh, keeping nothing of the anonymous session but what `keep` names.
 */
export function regenerateSession(
  req: Express.Request,
  now: number,
  keep: Partial<import('express-session').SessionData> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      Object.assign(req.session, keep, { startedAt: now, lastSeenAt: now });
      resolve();
    });
  });
}

export function destroySession(req: Express.Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.destroy((err) => (err ? reject(err) : resolve()));
  });
}

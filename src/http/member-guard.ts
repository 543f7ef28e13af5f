import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { createLoginQueries, type SignedInAccount } from '../features/login/queries.js';
import { createTermsService } from '../features/terms/service.js';

/**
 * Guards for the pages behind the member login. `requireMember` admits a session
 * whose account is still active and puts it in res.locals.member; everyone else goes
 * to the login page, which brings them back afterwards (same-site paths only).
 * `requireCurrentTerms` then sends a member who has not accepted the insurer's
 * newest terms to /portal/terms.
 */
declare module 'express-session' {
  interface SessionData {
    /**
     * The account's password_changed_at when this session was admitted. A session
     * written back by a request that was in flight while the password changed
     * still carries the old value and is refused.
     */
    passwordChangedAt?: number | null;
  }
}

export function requireMember(deps: { db: Db }): RequestHandler {
  const q = createLoginQueries(deps.db);
  return (req, res, next) => {
    const id = req.session.accountId;
    let account = id === undefined ? undefined : q.signedIn(id);
    if (account && req.session.passwordChangedAt === undefined) req.session.passwordChangedAt = account.passwordChangedAt;
    if (account && req.session.passwordChangedAt !== account.passwordChangedAt) account = undefined;
    if (!account) {
      // Closed (yearly reset, a supervisor) while signed in: the session no longer counts as one.
      if (id !== undefined) {
        delete req.session.accountId;
        delete req.session.passwordChangedAt;
      }
      const back = req.method === 'GET' ? safeNextPath(req.originalUrl) : undefined;
      res.redirect(303, back ? `/portal/?next=${encodeURIComponent(back)}` : '/portal/');
      return;
    }
    res.locals.member = account;
    next();
  };
}

export function requireCurrentTerms(deps: { db: Db; clock: Clock }): RequestHandler {
  const terms = createTermsService(deps);
  return (_req, res, next) => {
    const member = signedInMember(res);
    if (terms.needsAcceptance(member.accountId, member.insurerId)) {
      res.redirect(303, '/portal/terms');
      return;
    }
    next();
  };
}

/** The account requireMember admitted; a route behind the guard can rely on it. */
export function signedInMember(res: Response): SignedInAccount {
  const member = res.locals.member as SignedInAccount | undefined;
  if (!member) throw new Error('signedInMember used on a route without requireMember');
  return member;
}

const MAX_NEXT_LENGTH = 300;

/**
 * Where the login page may send a member afterwards: only a path of this portal
 * (`/portal/…`), never another site (`//evil.example`, `https://…`, `/\evil`),
 * with no backslash, whitespace, control character or dot segment, plain or
 * percent-encoded. Anything else gives undefined (→ my page).
 */
export function safeNextPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_NEXT_LENGTH) return undefined;
  if (!value.startsWith('/portal/') || value.startsWith('//')) return undefined;
  if (/[\\\s\x00-\x1f\x7f]/.test(value)) return undefined;
  if (/%(?:2e|2f|5c|0[0-9a-f]|1[0-9a-f])/i.test(value)) return undefined;
  if (/\/\.{1,2}(?:[/?#]|$)/.test(value)) return undefined;
  return value;
}

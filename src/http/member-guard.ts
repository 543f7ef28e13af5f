import type { RequestHandler, Response } from 'express';

/** The signed-in member as pages behind login see them (the accounts service's shape). */
export interface SignedInMember {
  accountId: number;
  memberId: number;
  insurerId: number;
  loginId: string;
  email: string;
  memberName: string;
  lastLoginAt: number | null;
  previousLoginAt: number | null;
  passwordChangedAt: number | null;
}

/**
 * Guards for the pages behind the member login. `requireMember` admits a session whose
 * account is still active and whose password is the one it logged in with, and puts the
 * account in res.locals.member; everyone else goes to the login page, which brings them back
 * afterwards (same-site paths only). `requireCurrentTerms` then sends a member who has not
 * accepted the insurer's newest terms to /portal/terms. The lookups come from the services
 * built in deps.ts: http/ knows no feature.
 */
export function requireMember(accounts: { signedIn(accountId: number): SignedInMember | undefined }): RequestHandler {
  return (req, res, next) => {
    const id = req.session.accountId;
    let account = id === undefined ? undefined : accounts.signedIn(id);
    if (account && req.session.passwordChangedAt !== account.passwordChangedAt) account = undefined;
    if (!account) {
      // Closed (yearly reset, a supervisor) or a new password while signed in: the session no longer counts as one.
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

export function requireCurrentTerms(terms: { needsAcceptance(accountId: number, insurerId: number): boolean }): RequestHandler {
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
export function signedInMember(res: Response): SignedInMember {
  const member = res.locals.member;
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

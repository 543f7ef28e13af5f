import type { Request, RequestHandler } from 'express';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { readCookie } from '../../http/cookies.js';
import { HttpError } from '../../http/errors.js';
import { destroySession, staffSessionPolicy } from '../../http/session.js';
import { ROLE_LABELS } from './team/service.js';
import { findStaffById, type StaffRole } from './queries.js';
import type { SignInStage } from './auth/service.js';

declare module 'express-session' {
  interface SessionData {
    /** A sign-in past its password, waiting for the next stage; never a signed-in session. */
    staffPending?: { staffId: number; stage: SignInStage; since: number };
    /** One message for the next staff page (after an action's redirect). */
    staffFlash?: string;
  }
}

/** Which members a staff member may see: every insurer, or those listed in staff_insurers. */
export interface StaffScope {
  staffId: number;
  all: boolean;
}

/** The signed-in staff member as routes, services and templates use them. */
export interface SignedInStaff {
  id: number;
  loginId: string;
  role: StaffRole;
  roleLabel: string;
  isSupervisor: boolean;
  /** Reviewers (the survey's review) read the console like operators but act on no member. */
  readOnly: boolean;
  scope: StaffScope;
}

/**
 * Lets a request through only for a fully signed-in staff member whose account
 * is still enabled; anything else goes to the sign-in page (an expired session
 * was already emptied by the session middleware, which the page then mentions).
 */
export function requireStaff(deps: { db: Db; config: Config }): RequestHandler {
  const { db } = deps;
  const cookieName = staffSessionPolicy(deps.config).cookieName;
  return async (req, res, next) => {
    const id = req.session.staffId;
    const s = id === undefined ? undefined : findStaffById(db, id);
    if (!s || s.disabled_at !== null || s.must_change_password === 1 || s.totp_enrolled_at === null) {
      if (id !== undefined) await destroySession(req);
      else if (sessionVanished(req, cookieName)) req.session.expired = true;
      res.redirect(303, '/staff/login');
      return;
    }
    // Supervisors see every insurer, whatever all_insurers says.
    const all = s.role === 'supervisor' || s.all_insurers === 1;
    res.locals.staff = {
      id: s.id,
      loginId: s.login_id,
      role: s.role,
      roleLabel: ROLE_LABELS[s.role],
      isSupervisor: s.role === 'supervisor',
      readOnly: s.role === 'reviewer',
      scope: { staffId: s.id, all },
    };
    res.locals.currentPath = req.originalUrl.split('?')[0];
    if (req.session.staffFlash) {
      res.locals.flash = req.session.staffFlash;
      delete req.session.staffFlash;
    }
    next();
  };
}

/**
 * The browser still sends a session cookie, but its row is gone (pruned, or the
 * database was restored): the session is brand new, never stored. The sign-in
 * page reports that as an ended session.
 */
function sessionVanished(req: Request, cookieName: string): boolean {
  return readCookie(req.headers.cookie, cookieName) !== undefined && req.session.startedAt === undefined;
}

/** The address the audit log records (behind a proxy, as TRUST_PROXY allows). */
export const clientIp = (req: Request): string => req.ip ?? '';

/** Supervisor-only pages and actions: an operator gets 403 and nothing happens. */
export const requireSupervisor: RequestHandler = (_req, res, next) => {
  if (!(res.locals.staff as SignedInStaff | undefined)?.isSupervisor) return next(new HttpError(403, 'forbidden', 'この操作はスーパーバイザーのみ行えます。'));
  next();
};

/** Actions on a member (the ID reminder, showing an address whole): not for read-only reviewers. */
export const requireMemberActions: RequestHandler = (_req, res, next) => {
  if ((res.locals.staff as SignedInStaff | undefined)?.readOnly !== false) {
    return next(new HttpError(403, 'forbidden', 'この操作はオペレーターとスーパーバイザーのみ行えます。'));
  }
  next();
};

export function signedInStaff(res: { locals: Record<string, unknown> }): SignedInStaff {
  const staff = res.locals.staff as SignedInStaff | undefined;
  if (!staff) throw new Error('requireStaff must run first');
  return staff;
}

import type { SignupSessionState } from '../features/signup/session.js';
import type { Insurer } from '../features/registry/insurers.js';
import type { SignedInStaff } from '../features/staff/guard.js';
import type { SignedInMember } from '../http/member-guard.js';

/**
 * What the portal keeps in a session (`req.session`) and hands to templates (`res.locals`),
 * declared in one place so routes read them typed, without casts. The staff console's own
 * sign-in stages and flash live beside its guard.
 */

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
    /**
     * The account's password_changed_at, stamped at login. A password change or reset
     * moves it, so every session admitted before is refused from then on, including one
     * written back by a request that was in flight while the password changed.
     */
    passwordChangedAt?: number | null;
    /** Logged-in staff member. */
    staffId?: number;
    /** The insurer whose name and contacts the layout shows. */
    insurerId?: number;
    /** The signup flow's state between the identity check and completion. */
    signup?: SignupSessionState;
    /** Set at completion for the step-4 page; the rest of the signup state is gone by then. */
    signupDone?: { loginId: string };
  }
}

declare global {
  namespace Express {
    interface Request {
      /** A short id for this request, in every log line about it and on the error page. */
      id: string;
    }

    interface Locals {
      /** This request's id (request-log.ts), shown on the error page as お問い合わせ番号. */
      requestId?: string;
      /** The token POST forms carry as `_csrf` (csrf.ts). */
      csrfToken?: string;
      /** The insurer whose name heads the page and whose contacts fill the footer (layout.ts). */
      insurer?: Insurer;
      /** The path without its query, for the navigation's current item. */
      currentPath?: string;
      /** The signed-in member, set by requireMember. */
      member?: SignedInMember;
      /** The signed-in staff member, set by requireStaff. */
      staff?: SignedInStaff;
    }
  }
}

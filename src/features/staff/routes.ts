import { Router } from 'express';
import type { Deps } from '../../deps.js';
import { staffAuditRoutes } from './audit/routes.js';
import { staffAuthRoutes } from './auth/routes.js';
import { staffErrorHandler, staffNotFound } from './errors.js';
import { requireStaff, requireSupervisor } from './guard.js';
import { staffMemberRoutes } from './members/routes.js';
import { staffSearchRoutes } from './search/routes.js';
import { staffTeamRoutes } from './team/routes.js';
import { surveyReviewRoutes } from '../survey/review/routes.js';

/**
 * The call-center console under /staff. app.ts has already put the staff
 * session (own cookie, 15 min idle / 8 h), CSRF, no-store and noindex in front.
 * Everything after the sign-in pages needs a signed-in staff member.
 */
export function staffRoutes(deps: Deps): Router {
  const router = Router();
  router.use(staffAuthRoutes(deps));
  router.use(requireStaff(deps));
  router.use(staffSearchRoutes(deps));
  router.use('/members', staffMemberRoutes(deps));
  router.use('/audit', requireSupervisor, staffAuditRoutes(deps));
  router.use('/team', requireSupervisor, staffTeamRoutes(deps));
  router.use('/survey', surveyReviewRoutes(deps));
  router.use(staffNotFound);
  router.use(staffErrorHandler(deps));
  return router;
}

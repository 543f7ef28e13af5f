import { Router } from 'express';
import type { Deps } from '../../deps.js';
import { createPoliciesService } from './service.js';

/**
 * `/portal/policies/terms` and `/portal/policies/privacy`: readable by anyone, linked from the
 * identity page before a member types anything. The society is the layout's (layout.ts: a
 * `?insurer=CODE` link, the session's, or the only one).
 */
export function policiesRoutes(deps: Deps): Router {
  const policies = createPoliciesService(deps);
  const router = Router();

  router.get('/terms', (_req, res) => {
    const insurer = res.locals.insurer;
    res.render('policies/document.njk', { pageTitle: '利用規約', document: policies.termsFor(insurer) });
  });

  router.get('/privacy', (_req, res) => {
    const insurer = res.locals.insurer;
    res.render('policies/document.njk', { pageTitle: '個人情報の取り扱いについて', document: policies.privacyFor(insurer) });
  });

  return router;
}

import express, { type Express } from 'express';
import type { Deps } from './deps.js';
import { csrfProtection, sameOriginCheck } from './http/csrf.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { layoutLocals } from './http/layout.js';
import { requestLogger } from './http/request-log.js';
import { noStore, securityHeaders } from './http/security.js';
import { memberSessionPolicy, sessionMiddleware, staffSessionPolicy } from './http/session.js';
import { configureViews, PUBLIC_DIR } from './http/views.js';
import { devMailRoutes } from './features/devmail/routes.js';
import { healthRoutes } from './features/health/routes.js';
import { loginRoutes } from './features/login/routes.js';
import { mypageRoutes } from './features/mypage/routes.js';
import { policiesRoutes } from './features/policies/routes.js';
import { recoveryRoutes } from './features/recovery/routes.js';
import { signupRoutes } from './features/signup/routes.js';
import { staffRoutes } from './features/staff/routes.js';
import { surveyRoutes } from './features/survey/routes.js';
import { termsRoutes } from './features/terms/routes.js';

/** Builds the whole web application; server.ts listens, tests call this directly. */
export function createApp(deps: Deps): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // Pages are no-store and differ per visitor (CSRF token): an ETag would only cost a hash.
  app.set('etag', false);
  configureViews(app, { watch: config.env === 'development' });

  app.use(requestLogger(deps.logger));
  app.use(securityHeaders({ isProduction: config.isProduction }));
  app.use('/public', express.static(PUBLIC_DIR, { maxAge: config.isProduction ? '1d' : 0, index: false }));
  app.use('/healthz', healthRoutes(deps));
  app.get('/', (_req, res) => res.redirect(302, '/portal/'));

  // Every form is urlencoded; 64 kB is far above any real form.
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 }));
  app.use(sameOriginCheck(config.baseUrl));

  if (!config.isProduction) {
    app.use('/dev/mail', devMailRoutes({ mailDir: deps.mailDir, smtpConfigured: Boolean(config.smtpUrl) }));
  }

  const portal = express.Router();
  const memberPolicy = memberSessionPolicy(config);
  // The layout's insurer first: an expired form's error page still names the society and its call center.
  portal.use(noStore, sessionMiddleware(deps, memberPolicy), layoutLocals(deps.services.insurers), csrfProtection(config, memberPolicy));
  portal.use('/signup', signupRoutes(deps));
  portal.use('/terms', termsRoutes(deps));
  portal.use('/policies', policiesRoutes(deps));
  portal.use('/mypage', mypageRoutes(deps));
  portal.use('/survey', surveyRoutes(deps));
  // The login page is the busiest of all: its router comes before recovery's, so a request
  // for it does not walk every recovery route first.
  portal.use(loginRoutes(deps));
  portal.use(recoveryRoutes(deps));
  app.use('/portal', portal);

  const staff = express.Router();
  const staffPolicy = staffSessionPolicy(config);
  staff.use(
    noStore,
    (_req, res, next) => {
      res.set('X-Robots-Tag', 'noindex, nofollow');
      next();
    },
    sessionMiddleware(deps, staffPolicy),
    csrfProtection(config, staffPolicy),
  );
  staff.use(staffRoutes(deps));
  app.use('/staff', staff);

  app.use(notFoundHandler);
  app.use(errorHandler({ logger: deps.logger, showStack: config.env === 'development' }));
  return app;
}

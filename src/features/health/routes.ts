import { Router } from 'express';
import type { Db } from '../../db/database.js';

/** Liveness and database check for the server's operator and load balancer, mounted at /healthz. */
export function healthRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    try {
      deps.db.prepare('SELECT 1 FROM schema_migrations LIMIT 1').get();
      res.set('Cache-Control', 'no-store').json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'error', database: 'unavailable' });
    }
  });
  return router;
}

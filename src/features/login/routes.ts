import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the login feature lands.
export function loginRoutes(_deps: Deps): Router {
  return Router();
}

import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the recovery feature lands.
export function recoveryRoutes(_deps: Deps): Router {
  return Router();
}

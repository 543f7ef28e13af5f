import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the terms feature lands.
export function termsRoutes(_deps: Deps): Router {
  return Router();
}

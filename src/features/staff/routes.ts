import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the staff feature lands.
export function staffRoutes(_deps: Deps): Router {
  return Router();
}

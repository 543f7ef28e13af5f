import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the signup feature lands.
export function signupRoutes(_deps: Deps): Router {
  return Router();
}

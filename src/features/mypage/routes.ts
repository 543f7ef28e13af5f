import { Router } from 'express';
import type { Deps } from '../../deps.js';

// Placeholder until the mypage feature lands.
export function mypageRoutes(_deps: Deps): Router {
  return Router();
}

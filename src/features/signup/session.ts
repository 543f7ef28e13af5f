import { MINUTE } from '../../lib/clock.js';

/** How long a passed identity check lets the member continue (docs/signup.md, step 1). */
export const VERIFIED_FOR_MS = 30 * MINUTE;

/** The signup flow's part of the member session. */
export interface SignupSessionState {
  memberId: number;
  insurerId: number;
  /** When the identity check passed, on the injected clock. */
  verifiedAt: number;
}

/** 'ok' while the identity check is fresh; why not otherwise. */
export function signupStateStatus(state: SignupSessionState | undefined, now: number): 'ok' | 'missing' | 'expired' {
  if (!state) return 'missing';
  return now - state.verifiedAt > VERIFIED_FOR_MS ? 'expired' : 'ok';
}

import type { Request } from 'express';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { recordAudit } from '../audit/writer.js';
import { clientIp, type SignedInStaff } from './guard.js';

/**
 * A request in the console that was refused (403, 404, or a form or state that did not
 * allow it): one audit row with what was asked — the method and path, the member it
 * named if any, the reason typed if any, and why it was refused.
 */
export function recordRefusal(
  deps: { db: Db; clock: Clock },
  staff: SignedInStaff,
  req: Request,
  o: { why: string; memberId?: number | null; reason?: string | null },
): void {
  recordAudit(deps.db, deps.clock, {
    staffId: staff.id,
    staffLogin: staff.loginId,
    clientIp: clientIp(req),
    action: 'refused',
    query: `${req.method} ${req.originalUrl.split('?')[0]}`,
    memberId: o.memberId ?? null,
    reason: o.reason || null,
    detail: o.why,
  });
}

import type { Request, RequestHandler } from 'express';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { layoutInsurerByCode, layoutInsurerById, layoutSoleInsurer, type Insurer } from '../features/registry/insurers.js';

/**
 * Puts the insurer whose name heads the page and whose contacts fill the footer into
 * res.locals.insurer, first found of:
 * 1. unless a member is signed in, the insurer a page names: `?insurer=CODE` (the society's notice and QR code link to
 *    `/portal/signup?insurer=CODE`) or the 保険者指定コード a signup form posted, so its pages,
 *    error pages included (an expired form), keep the society's name and call center;
 * 2. the one the session knows (after the identity check or login);
 * 3. the only insurer of a single-society deployment;
 * else none (a generic header). Runs before the CSRF check for that reason.
 */
export function layoutLocals({ db, clock }: { db: Db; clock: Clock }): RequestHandler {
  return (req, res, next) => {
    const now = clock.now();
    // A signed-in member's pages always name their own society: a link cannot dress them in another's.
    const signedIn = req.session?.accountId !== undefined;
    const named = signedIn ? undefined : namedInsurerCode(req);
    let insurer: Insurer | undefined = named === undefined ? undefined : layoutInsurerByCode(db, named, now);
    const id = req.session?.insurerId;
    if (!insurer && id !== undefined) insurer = layoutInsurerById(db, id, now);
    insurer ??= layoutSoleInsurer(db, now);
    res.locals.insurer = insurer;
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}

function namedInsurerCode(req: Request): string | undefined {
  const fromQuery = req.method === 'GET' ? req.query.insurer : undefined;
  if (typeof fromQuery === 'string') return fromQuery;
  const fromForm = (req.body as Record<string, unknown> | undefined)?.insurerCode;
  return typeof fromForm === 'string' ? fromForm : undefined;
}

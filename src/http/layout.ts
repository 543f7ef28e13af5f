import type { Request, RequestHandler } from 'express';
import { formBody } from './forms.js';

/**
 * Puts the insurer whose name heads the page and whose contacts fill the footer into
 * res.locals.insurer, first found of:
 * 1. unless a member is signed in, the insurer a page names: `?insurer=CODE` (the society's notice and QR code link to
 *    `/portal/signup?insurer=CODE`) or the 保険者指定コード a signup form posted, so its pages,
 *    error pages included (an expired form), keep the society's name and call center;
 * 2. the one the session knows (after the identity check or login);
 * 3. the only insurer of a single-society deployment;
 * else none (a generic header). Runs before the CSRF check for that reason. The insurers
 * come from the directory built in deps.ts (kept in memory there): http/ knows no feature.
 */
export function layoutLocals(insurers: { forLayout(named: { code?: string; id?: number }): Express.Locals['insurer'] }): RequestHandler {
  return (req, res, next) => {
    // A signed-in member's pages always name their own society: a link cannot dress them in another's.
    const named = req.session?.accountId !== undefined ? undefined : namedInsurerCode(req);
    res.locals.insurer = insurers.forLayout({ code: named, id: req.session?.insurerId });
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}

function namedInsurerCode(req: Request): string | undefined {
  const fromQuery = req.method === 'GET' ? req.query.insurer : undefined;
  if (typeof fromQuery === 'string') return fromQuery;
  const fromForm = formBody(req).insurerCode;
  return typeof fromForm === 'string' ? fromForm : undefined;
}

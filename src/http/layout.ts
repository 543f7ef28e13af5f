import type { RequestHandler } from 'express';

/**
 * Puts the insurer whose name heads the page and whose contacts fill the footer into
 * res.locals.insurer: the one the session knows (after the identity check or login), else
 * the only insurer of a single-society deployment, else none (a generic header). The
 * insurers come from the directory built in deps.ts (kept in memory there).
 */
export function layoutLocals(insurers: { forLayout(id: number | undefined): object | undefined }): RequestHandler {
  return (req, res, next) => {
    res.locals.insurer = insurers.forLayout(req.session?.insurerId);
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}

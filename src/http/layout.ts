import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';
import { findInsurerById, soleInsurer, type Insurer } from '../features/registry/insurers.js';

/**
 * Puts the insurer whose name heads the page and whose contacts fill the
 * footer into res.locals.insurer: the one the session knows (after the
 * identity check or login), else the only insurer of a single-society
 * deployment, else none (a generic header).
 */
export function layoutLocals(db: Db): RequestHandler {
  return (req, res, next) => {
    let insurer: Insurer | undefined;
    const id = req.session?.insurerId;
    if (id !== undefined) insurer = findInsurerById(db, id);
    insurer ??= soleInsurer(db);
    res.locals.insurer = insurer;
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}

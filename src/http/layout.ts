import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { layoutInsurerById, layoutSoleInsurer, type Insurer } from '../features/registry/insurers.js';

/**
 * Puts the insurer whose name heads the page and whose contacts fill the
 * footer into res.locals.insurer: the one the session knows (after the
 * identity check or login), else the only insurer of a single-society
 * deployment, else none (a generic header).
 */
export function layoutLocals({ db, clock }: { db: Db; clock: Clock }): RequestHandler {
  return (req, res, next) => {
    let insurer: Insurer | undefined;
    const id = req.session?.insurerId;
    if (id !== undefined) insurer = layoutInsurerById(db, id, clock.now());
    insurer ??= layoutSoleInsurer(db, clock.now());
    res.locals.insurer = insurer;
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}

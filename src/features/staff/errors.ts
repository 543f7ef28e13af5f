import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Db } from '../../db/database.js';
import { HttpError } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { SignedInStaff } from './guard.js';
import { recordRefusal } from './refusals.js';
import { memberExists } from './members/queries.js';

const PAGES: Partial<Record<HttpError['reason'], { title: string; body: string }>> = {
  not_found: { title: 'ページが見つかりません', body: '加入者が見つからないか、担当外の保険者の加入者です。検索画面からやり直してください。' },
  forbidden: { title: 'この操作は行えません', body: 'この操作を行う権限がありません。' },
  bad_request: { title: '入力内容を受け付けられませんでした', body: '前の画面に戻り、もう一度お試しください。' },
};

declare global {
  namespace Express {
    interface Locals {
      /** The member a console URL names (`/staff/members/<id>/…`), for the audit row of a refusal. */
      askedMemberId?: number;
    }
  }
}

export const staffNotFound: RequestHandler = (_req, _res, next) => next(new HttpError(404, 'not_found'));

/**
 * Expected refusals inside the console (no such member, a member of another insurer,
 * an operator on a supervisor page) are shown in the console's own layout, and each is
 * audited with what was asked: trying to open a member outside one's insurers is as
 * much a part of the trail as opening one. Anything else goes on to the application's
 * final handler.
 */
export function staffErrorHandler(deps: { db: Db; clock: Clock }): ErrorRequestHandler {
  return (err, req, res, next) => {
    const page = err instanceof HttpError ? PAGES[err.reason] : undefined;
    if (!page || res.headersSent) return next(err);
    const e = err as HttpError;
    const staff = res.locals.staff as SignedInStaff | undefined;
    if (staff) {
      const asked = res.locals.askedMemberId;
      recordRefusal(deps, staff, req, {
        why: `${e.status} ${page.title}`,
        // A member id that does not exist is kept in the query only (the column references members).
        memberId: asked !== undefined && memberExists(deps.db, asked) ? asked : null,
      });
    }
    res.status(e.status).render('staff/error.njk', { pageTitle: page.title, title: page.title, body: e.userMessage ?? page.body, status: e.status });
  };
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from '../../http/errors.js';

const PAGES: Partial<Record<HttpError['reason'], { title: string; body: string }>> = {
  not_found: { title: 'ページが見つかりません', body: '加入者が見つからないか、担当外の保険者の加入者です。検索画面からやり直してください。' },
  forbidden: { title: 'この操作は行えません', body: 'この操作を行う権限がありません。' },
  bad_request: { title: '入力内容を受け付けられませんでした', body: '前の画面に戻り、もう一度お試しください。' },
};

export const staffNotFound: RequestHandler = (_req, _res, next) => next(new HttpError(404, 'not_found'));

/**
 * Expected refusals inside the console (no such member, operator on a supervisor
 * action) are shown in the console's own layout; anything else goes on to the
 * application's final handler.
 */
export const staffErrorHandler: ErrorRequestHandler = (err, _req, res, next) => {
  const page = err instanceof HttpError ? PAGES[err.reason] : undefined;
  if (!page || res.headersSent) return next(err);
  const e = err as HttpError;
  res.status(e.status).render('staff/error.njk', { pageTitle: page.title, title: page.title, body: e.userMessage ?? page.body, status: e.status });
};

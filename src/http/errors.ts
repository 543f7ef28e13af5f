import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from './request-log.js';

/**
 * The one error type routes and services throw when a request cannot go on.
 * `reason` picks the Japanese page; anything else that reaches the final
 * handler is a bug and shows the generic 500 page.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: 'not_found' | 'csrf' | 'origin' | 'forbidden' | 'bad_request' | 'too_large' | 'too_many' | 'unavailable' = 'bad_request',
    readonly userMessage?: string,
  ) {
    super(`${status} ${reason}`);
  }
}

const messages: Record<string, { title: string; body: string }> = {
  not_found: { title: 'ページが見つかりません', body: 'お探しのページは移動または削除された可能性があります。URLをご確認ください。' },
  csrf: {
    title: 'ページの有効期限が切れました',
    body: '画面を開いてから時間がたったか、別のタブで操作されたため、送信できませんでした。お手数ですが、もう一度入力してください。',
  },
  origin: { title: '送信できませんでした', body: 'このサイト以外の画面からの送信は受け付けられません。' },
  forbidden: { title: 'このページは表示できません', body: 'このページを表示する権限がありません。' },
  bad_request: { title: '入力内容を受け付けられませんでした', body: '入力内容に誤りがあります。前の画面に戻り、もう一度お試しください。' },
  too_large: { title: '入力内容が長すぎます', body: '送信された内容が大きすぎます。入力内容を短くして、もう一度お試しください。' },
  too_many: { title: 'しばらくお待ちください', body: '短い時間に多くの操作が行われました。しばらく時間をおいてから、もう一度お試しください。' },
  unavailable: { title: 'ただいま混み合っています', body: 'しばらく時間をおいてから、もう一度お試しください。' },
  internal: { title: 'システムエラーが発生しました', body: '申し訳ありません。時間をおいてもう一度お試しください。解決しない場合はコールセンターへお問い合わせください。' },
};

/**
 * An expired form (CSRF) is answered with a link back to the same form: the path it was posted
 * to, which is also where the form is shown (the login form posts to /portal/login from /portal/).
 * Only this portal's own paths, never a Referer or a query parameter.
 */
function retryHrefOf(method: string, path: string, baseUrl: string): string | undefined {
  const full = `${baseUrl}${path}`;
  if (method !== 'POST' || !/^\/portal\/[a-z0-9/_-]*$/.test(full)) return undefined;
  if (full === '/portal/login') return '/portal/';
  if (full === '/portal/logout') return '/portal/mypage';
  return full.replace(/\/resend$/, '');
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new HttpError(404, 'not_found'));
};

/** Body-parser errors carry `status` and `type`; map them to our reasons. */
function classify(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const e = err as { status?: unknown; type?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.type === 'entity.too.large' || e.status === 413) return new HttpError(413, 'too_large');
    return new HttpError(e.status, e.status === 404 ? 'not_found' : 'bad_request');
  }
  return undefined;
}

export function errorHandler(opts: { logger: Logger; showStack: boolean }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = classify(err);
    const status = known?.status ?? 500;
    // The URL as the request log writes it: a reset token in the path must not reach the log.
    if (!known) opts.logger.error({ err, reqId: req.id, url: redactUrl(req.originalUrl), method: req.method }, 'unhandled error');
    if (res.headersSent) {
      res.end();
      return;
    }
    const page = messages[known?.reason ?? 'internal'] ?? messages.internal!;
    res.status(status);
    res.render('errors/error.njk', {
      status,
      requestId: req.id,
      retryHref: known?.reason === 'csrf' ? retryHrefOf(req.method, req.path, req.baseUrl) : undefined,
      title: page.title,
      body: known?.userMessage ?? page.body,
      stack: !known && opts.showStack && err instanceof Error ? err.stack : undefined,
    }, (renderErr, html) => {
      // The error page itself failed (e.g. a broken template): plain text, still Japanese.
      if (renderErr) {
        opts.logger.error({ err: renderErr, reqId: req.id }, 'error page failed to render');
        res.type('text/plain; charset=utf-8').send(`${page.title}\n${page.body}\nお問い合わせ番号 ${req.id}`);
        return;
      }
      res.send(html);
    });
  };
}

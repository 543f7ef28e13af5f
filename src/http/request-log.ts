import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One log line per request, written when the answer has gone out (or the client went away).
 * The URL is logged without its query string and with long opaque path segments (reset-link
 * tokens) replaced, so no token, code or password ever reaches a log. Nothing is done at all
 * when the level is above info.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (!logger.isLevelEnabled('info')) return next();
    const started = performance.now();
    const line = () => ({
      req: { method: req.method, url: redactUrl(req.originalUrl), remoteAddress: req.socket.remoteAddress },
      res: { statusCode: res.statusCode },
      responseTime: Math.round(performance.now() - started),
    });
    res.once('close', () => {
      if (res.writableFinished) logger.info(line(), 'request completed');
      else logger.warn(line(), 'request aborted');
    });
    next();
  };
}

export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/[redacted]');
}

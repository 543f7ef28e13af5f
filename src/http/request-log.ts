import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

// No 0/O, 1/I/L: a member reads the id out to the call center over the phone.
const ID_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** 8 characters from 31 (about 40 bits): unique enough to find one request in a day's logs. */
export function newRequestId(): string {
  const bytes = crypto.randomBytes(8);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/**
 * Gives each request its id (also sent back as `X-Request-Id`, and shown on the error
 * page as お問い合わせ番号), then writes one log line per request when the answer has
 * gone out (or the client went away). The URL is logged without its query string and
 * with long opaque path segments (reset-link tokens) replaced, so no token, code or
 * password ever reaches a log. No line is written when the level is above info.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    req.id = newRequestId();
    res.locals.requestId = req.id;
    res.setHeader('X-Request-Id', req.id);
    if (!logger.isLevelEnabled('info')) return next();
    const started = performance.now();
    const line = () => ({
      reqId: req.id,
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

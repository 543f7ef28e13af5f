import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';

/**
 * One log line per request. The URL is logged without its query string and
 * with long opaque path segments (reset-link tokens) replaced, so no token,
 * code or password ever reaches a log.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    serializers: {
      req: (req: IncomingMessage & { raw?: IncomingMessage; method?: string; url?: string; remoteAddress?: string }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/[redacted]');
}

import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Cookies, authorization headers and anything named like a
 * secret are redacted; request bodies are never logged at all.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.code',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

import type { Request } from 'express';

/** The address attempts are recorded and throttled under (Express honours TRUST_PROXY). */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

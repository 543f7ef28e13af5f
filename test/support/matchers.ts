import { expect } from 'vitest';
import type { CapturedMail } from './smtp.js';

/**
 * Custom assertions, registered for every test file by ./setup.ts:
 *   expect(res).toRedirectTo('/portal/mypage')          a 303 to that path (or `status`)
 *   expect(ctx.smtp).toHaveMailed({ to, subject })      a mail went out over SMTP
 */

interface RedirectLike {
  status: number;
  headers: Record<string, unknown>;
}

export interface MailExpectation {
  to: string;
  /** Part of the subject, or a pattern it matches. */
  subject?: string | RegExp;
  /** Part of the text body, or a pattern it matches. */
  text?: string | RegExp;
}

function matches(value: string, want: string | RegExp | undefined): boolean {
  if (want === undefined) return true;
  return typeof want === 'string' ? value.includes(want) : want.test(value);
}

function describeMail(m: CapturedMail): string {
  return `  to ${m.to}: ${m.subject}`;
}

expect.extend({
  toRedirectTo(received: RedirectLike, path: string, status = 303) {
    const location = received.headers.location;
    const pass = received.status === status && location === path;
    return {
      pass,
      message: () =>
        pass
          ? `expected the response not to redirect (${status}) to ${path}`
          : `expected a ${status} redirect to ${path}, got ${received.status}${typeof location === 'string' ? ` to ${location}` : ' with no Location'}`,
      actual: { status: received.status, location },
      expected: { status, location: path },
    };
  },

  toHaveMailed(received: { mails: CapturedMail[] }, want: MailExpectation) {
    const pass = received.mails.some((m) => m.to === want.to && matches(m.subject, want.subject) && matches(m.text, want.text));
    const wanted = `a mail to ${want.to}${want.subject ? ` with subject ${String(want.subject)}` : ''}${want.text ? ` and text ${String(want.text)}` : ''}`;
    return {
      pass,
      message: () =>
        pass
          ? `expected no ${wanted}`
          : `expected ${wanted}; the SMTP server got:\n${received.mails.map(describeMail).join('\n') || '  nothing'}`,
    };
  },
});

interface PortalMatchers<R = unknown> {
  /** A redirect with this status (303 See Other unless given) and exactly this Location. */
  toRedirectTo(path: string, status?: number): R;
  /** The SMTP server received a mail to `to` whose subject (and text) contain or match what is given. */
  toHaveMailed(want: MailExpectation): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends PortalMatchers<T> {}
}

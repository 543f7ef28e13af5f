import type { CapturedMail, TestSmtpServer } from '../smtp.js';

/** Waits for the next mail to `to` whose subject contains `subject`, not counting mails already seen. */
export async function nextMail(smtp: TestSmtpServer, to: string, subject: string | RegExp, timeoutMs = 15_000): Promise<CapturedMail> {
  const seen = new Set(smtp.mails);
  const matches = (m: CapturedMail) =>
    !seen.has(m) && m.to.toLowerCase().includes(to.toLowerCase()) && (typeof subject === 'string' ? m.subject.includes(subject) : subject.test(m.subject));
  return smtp.waitForMail(matches, timeoutMs);
}

/** Starts watching now, so a mail that arrives while the browser is still submitting is not missed. */
export function expectMail(smtp: TestSmtpServer, to: string, subject: string | RegExp, timeoutMs = 15_000): Promise<CapturedMail> {
  const promise = nextMail(smtp, to, subject, timeoutMs);
  promise.catch(() => undefined); // reported where it is awaited
  return promise;
}

/** The 6-digit code in a mail's text part. */
export function codeIn(mail: CapturedMail): string {
  const m = /(?<![0-9])([0-9]{6})(?![0-9])/.exec(mail.text);
  if (!m) throw new Error(`no 6-digit code in the mail "${mail.subject}":\n${mail.text}`);
  return m[1]!;
}

/** The first link in a mail's text part that starts with `prefix` (a full URL or a path under it). */
export function linkIn(mail: CapturedMail, prefix: string): string {
  const urls = mail.text.match(/https?:\/\/[^\s<>"'）」]+/g) ?? [];
  const url = urls.find((u) => u.startsWith(prefix) || new URL(u).pathname.startsWith(prefix));
  if (!url) throw new Error(`no link starting with ${prefix} in the mail "${mail.subject}":\n${mail.text}`);
  return url;
}

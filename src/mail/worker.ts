import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { dueMails, markFailed, markSent, retryDelayMs } from './outbox.js';

/**
 * Sends what the outbox holds. One pass at a time; `kick()` after a commit
 * sends at once, a timer picks up retries and whatever a restart left behind.
 * Delivery is at-least-once: a crash between the SMTP answer and the update
 * can send a mail twice, never lose it.
 */
export class OutboxWorker {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { db: Db; clock: Clock; logger: Logger; transport: Transporter; from: string },
  ) {}

  start(intervalMs = 2000): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops the timer; resolves once a pass under way has finished (so the database can close). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Asks for a pass soon; never throws. */
  kick(): void {
    void this.drain().catch((err: unknown) => this.deps.logger.error({ err }, 'outbox pass failed'));
  }

  /** Sends every due mail; resolves with how many went out in this call's passes. */
  async drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async loop(): Promise<number> {
    let sent = 0;
    do {
      this.again = false;
      for (;;) {
        const batch = dueMails(this.deps.db, this.deps.clock.now(), 20);
        if (batch.length === 0) break;
        for (const mail of batch) {
          if (await this.sendOne(mail)) sent += 1;
        }
      }
    } while (this.again);
    return sent;
  }

  private async sendOne(mail: ReturnType<typeof dueMails>[number]): Promise<boolean> {
    const { db, clock, logger, transport, from } = this.deps;
    try {
      const info = (await transport.sendMail({
        from: senderFor(from, mail.insurer_name),
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body ?? '',
        html: mail.html_body ?? undefined,
        headers: { 'X-Portal-Mail-Id': String(mail.id) },
      })) as { messageId?: string };
      markSent(db, mail.id, clock.now(), info.messageId, mail.sensitive === 1);
      logger.info({ mailId: mail.id, kind: mail.kind }, 'mail sent');
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      markFailed(db, mail.id, clock.now() + retryDelayMs(mail.attempts), message);
      logger.warn({ mailId: mail.id, kind: mail.kind, attempts: mail.attempts + 1, error: message }, 'mail send failed, will retry');
      return false;
    }
  }
}

/**
 * The From header: `U-NEXT HOLDINGS健康保険組合 加入者ポータル <no-reply@…>`, so the inbox names
 * the society rather than showing a bare address a member may take for spam. MAIL_FROM may be a
 * bare address or already carry a name; the address part is kept either way. nodemailer encodes
 * the Japanese name (RFC 2047).
 */
export function senderFor(mailFrom: string, insurerName: string | null): string | { name: string; address: string } {
  if (!insurerName) return mailFrom;
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  return { name: `${insurerName} 加入者ポータル`, address };
}

import { cachedStatement, type Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';

export interface OutgoingMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  insurerId?: number | null;
  memberId?: number | null;
  accountId?: number | null;
  /** Carries a code or a link: the bodies are erased once the mail is delivered. */
  sensitive?: boolean;
}

/**
 * Writes a mail to the outbox. Call it inside the transaction of the change
 * that caused the mail, so both happen or neither does; the worker sends it.
 */
export function enqueueMail(db: Db, clock: Clock, mail: OutgoingMail): number {
  const now = clock.now();
  // Prepared once per connection: a survey's reminders enqueue 100,000 mails in one run.
  const result = cachedStatement(
    db,
    `INSERT INTO outbox (kind, insurer_id, member_id, account_id, to_address, subject, text_body, html_body,
       sensitive, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
      mail.kind,
      mail.insurerId ?? null,
      mail.memberId ?? null,
      mail.accountId ?? null,
      mail.to,
      mail.subject,
      mail.text,
      mail.html,
      mail.sensitive ? 1 : 0,
      now,
      now,
    );
  return Number(result.lastInsertRowid);
}

export interface OutboxRow {
  id: number;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  sensitive: number;
  attempts: number;
  /** The society the mail is about, for the sender's display name (null for none). */
  insurer_name: string | null;
}

export function dueMails(db: Db, now: number, limit: number): OutboxRow[] {
  return db
    .prepare<[number, number], OutboxRow>(
      `SELECT id, kind, to_address, subject, text_body, html_body, sensitive, attempts,
         (SELECT name FROM insurers WHERE insurers.id = outbox.insurer_id) AS insurer_name
       FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    )
    .all(now, limit);
}

export function markSent(db: Db, id: number, now: number, messageId: string | undefined, sensitive: boolean): void {
  db.prepare(
    `UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, message_id = ?,
       text_body = CASE WHEN ? THEN NULL ELSE text_body END,
       html_body = CASE WHEN ? THEN NULL ELSE html_body END
     WHERE id = ?`,
  ).run(now, messageId ?? null, sensitive ? 1 : 0, sensitive ? 1 : 0, id);
}

export function markFailed(db: Db, id: number, nextAttemptAt: number, error: string): void {
  db.prepare(
    'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
  ).run(error.slice(0, 500), nextAttemptAt, id);
}

/** 30 s, 1 min, 2 min … capped at 1 h; a mail is retried until it goes. */
export function retryDelayMs(attemptsSoFar: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attemptsSoFar), 60 * 60_000);
}

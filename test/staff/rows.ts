import { createAttemptLedger, type AttemptKind } from '../../src/features/attempts/service.js';
import type { Db } from '../../src/db/database.js';

/** Rows other features write (accounts, signups, codes, attempts, mails, terms), put straight into the database. */

export function insertAccount(
  db: Db,
  o: { memberId: number; loginId: string; email: string; at: number; status?: 'active' | 'closed'; lockedUntil?: number | null; failedLogins?: number; closedReason?: string | null; lastLoginAt?: number | null },
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO accounts (member_id, login_id, password_hash, email, status, failed_logins, locked_until, last_login_at, created_at, closed_at, closed_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.memberId, o.loginId, `$argon2id$v=19$m=19456,t=2,p=1$SALTSALT${o.loginId}$HASHHASHHASH`, o.email, o.status ?? 'active',
        o.failedLogins ?? 0, o.lockedUntil ?? null, o.lastLoginAt ?? null, o.at,
        o.status === 'closed' ? o.at : null, o.status === 'closed' ? (o.closedReason ?? 'yearly_reset') : null,
      ).lastInsertRowid,
  );
}

export function insertSignup(
  db: Db,
  o: { memberId: number; loginId: string; email: string; at: number; codeExpiresAt: number; consumed?: boolean; voided?: boolean },
): { registrationId: number; codeHash: string } {
  const registrationId = Number(
    db
      .prepare(`INSERT INTO signup_registrations (member_id, login_id, password_hash, email, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(o.memberId, o.loginId, `$argon2id$v=19$pendinghash${o.loginId}`, o.email, o.at).lastInsertRowid,
  );
  const codeHash = `c0de${registrationId}`.padEnd(64, 'f');
  db.prepare(
    `INSERT INTO email_codes (purpose, member_id, registration_id, email, code_hash, created_at, expires_at, consumed_at, voided_at)
     VALUES ('signup', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(o.memberId, registrationId, o.email, codeHash, o.at, o.codeExpiresAt, o.consumed ? o.at : null, o.voided ? o.at : null);
  return { registrationId, codeHash };
}

export function insertAttempt(db: Db, o: { kind: AttemptKind; memberId?: number; accountId?: number; at: number; success?: boolean }): void {
  createAttemptLedger({ db, clock: { now: () => o.at } }).record({
    kind: o.kind, success: o.success ?? false, memberId: o.memberId, accountId: o.accountId, clientIp: '203.0.113.9',
  });
}

export function insertMail(
  db: Db,
  o: { kind: string; memberId: number; accountId?: number; to: string; at: number; sentAt?: number | null; attempts?: number; lastError?: string | null },
): void {
  db.prepare(
    `INSERT INTO outbox (kind, member_id, account_id, to_address, subject, text_body, html_body, created_at, attempts, next_attempt_at, last_error, sent_at)
     VALUES (?, ?, ?, ?, '件名', '本文 123456', '<p>本文</p>', ?, ?, ?, ?, ?)`,
  ).run(o.kind, o.memberId, o.accountId ?? null, o.to, o.at, o.attempts ?? 0, o.at + 10 ** 9, o.lastError ?? null, o.sentAt ?? null);
}

export function insertTerms(db: Db, o: { insurerId: number; version: number; at: number; acceptedBy?: number }): void {
  const id = Number(
    db.prepare('INSERT INTO terms_versions (insurer_id, version, body_markdown, published_at) VALUES (?, ?, ?, ?)').run(o.insurerId, o.version, '# 規約', o.at).lastInsertRowid,
  );
  if (o.acceptedBy !== undefined) {
    db.prepare('INSERT INTO terms_acceptances (account_id, terms_version_id, accepted_at, client_ip) VALUES (?, ?, ?, ?)').run(o.acceptedBy, id, o.at, '203.0.113.9');
  }
}

export function insertPasswordReset(db: Db, o: { accountId: number; at: number; tokenHash: string }): void {
  db.prepare('INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)').run(o.accountId, o.tokenHash, o.at, o.at + 30 * 60_000);
}

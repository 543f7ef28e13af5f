import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import { HOUR, MINUTE, SECOND, type Clock } from '../../lib/clock.js';
import { hashesEqual, keyedHasher, newNumericCode } from '../../lib/tokens.js';
import type { AttemptLedger } from '../attempts/service.js';
import type { Insurer } from '../registry/insurers.js';
import type { Member } from '../registry/members.js';
import { enqueueCodeMail } from './mails.js';
import { createEmailCodeQueries, type CodePurpose } from './queries.js';

export type { CodePurpose } from './queries.js';

/** SECURITY.md "Limits as implemented": 6 digits, 10 min, 5 tries, resend ≥ 60 s apart, ≤ 5 an hour. */
export const CODE_TTL_MS = 10 * MINUTE;
export const CODE_TRIES = 5;
export const WRONG_ENTRIES_PER_HOUR = 10;
export const RESEND_INTERVAL_MS = 60 * SECOND;
export const RESENDS_PER_HOUR = 5;
/** The first code plus five resends: any code beyond this in an hour is refused. */
export const CODES_PER_HOUR = RESENDS_PER_HOUR + 1;

export type VerifyResult =
  | { ok: true; code: { id: number; email: string; registration_id: number | null; account_id: number | null; expires_at: number } }
  | { ok: false; reason: 'wrong' | 'expired' | 'voided' | 'none' | 'too_many'; remainingTries?: number };

export type ResendResult =
  | { ok: true; expiresAt: number }
  | { ok: false; reason: 'too_soon' | 'hourly_limit'; retryAt: number }
  | { ok: false; reason: 'none' };

/** What a member typed, folded: full-width digits, spaces and hyphens are fine. */
export function normalizeCodeInput(typed: string): string {
  return typed.normalize('NFKC').replace(/[\s\-\u2010-\u2015\u2212\u30fc]/g, '');
}

export const CODE_FORMAT = /^[0-9]{6}$/;

/**
 * Six-digit e-mail codes for signup and for the e-mail change on my page. A code is
 * stored only as an HMAC under a key derived from the server secret (a plain hash of six
 * digits is reversed at once by whoever reads the database), compared in constant time, and
 * belongs to one member and purpose; a new code voids the older open ones, so only the
 * newest ever counts. At most 6 codes per member and purpose an hour, checked inside the
 * transaction that issues the code, so a burst cannot pass the cap.
 */
export function createEmailCodeService(deps: { db: Db; clock: Clock; config: Config; outbox: { kick(): void }; attempts: AttemptLedger }) {
  const { db, clock, config, attempts } = deps;
  const q = createEmailCodeQueries(db);
  const hashCode = keyedHasher(config.sessionSecret, 'email-code');

  /** Call INSIDE the caller's transaction (the code, its mail and the caller's change commit together). */
  function issue(p: {
    purpose: CodePurpose;
    member: Member;
    insurer: Insurer;
    email: string;
    memberName: string;
    registrationId?: number;
    accountId?: number;
  }): { ok: true; codeId: number; expiresAt: number } | { ok: false; reason: 'hourly_limit'; retryAt: number } {
    if (!db.inTransaction) throw new Error('email code issue() must run inside a transaction');
    const retryAt = hourlyLimitRetryAt(p.purpose, p.member.id);
    if (retryAt !== undefined) return { ok: false, reason: 'hourly_limit', retryAt };
    const now = clock.now();
    q.voidOpen(p.member.id, p.purpose, now);
    const code = newNumericCode();
    const expiresAt = now + CODE_TTL_MS;
    const codeId = q.insert({
      purpose: p.purpose,
      memberId: p.member.id,
      registrationId: p.registrationId ?? null,
      accountId: p.accountId ?? null,
      email: p.email,
      codeHash: hashCode(code),
      createdAt: now,
      expiresAt,
    });
    enqueueCodeMail(db, clock, {
      purpose: p.purpose,
      insurer: p.insurer,
      to: p.email,
      memberName: p.memberName,
      memberId: p.member.id,
      accountId: p.accountId ?? null,
      code,
      expiresAt,
      validMinutes: CODE_TTL_MS / MINUTE,
      baseUrl: config.baseUrl,
    });
    return { ok: true, codeId, expiresAt };
  }

  /** Checks a typed code against the member's newest code of that purpose. Does not consume. */
  function verify(p: { purpose: CodePurpose; memberId: number; code: string; clientIp: string }): VerifyResult {
    return inTransaction(db, (): VerifyResult => {
      const now = clock.now();
      const hourAgo = now - HOUR;
      if (attempts.failuresByMember(p.memberId, ['code'], hourAgo) >= WRONG_ENTRIES_PER_HOUR) return { ok: false, reason: 'too_many' };
      const row = q.newest(p.memberId, p.purpose);
      if (!row || row.consumed_at !== null) return { ok: false, reason: 'none' };
      if (row.voided_at !== null) return { ok: false, reason: 'voided' };
      if (row.expires_at <= now) return { ok: false, reason: 'expired' };

      const typed = normalizeCodeInput(p.code);
      if (CODE_FORMAT.test(typed) && hashesEqual(hashCode(typed), row.code_hash)) {
        attempts.record({ kind: 'code', success: true, memberId: p.memberId, accountId: row.account_id, clientIp: p.clientIp });
        const { id, email, registration_id, account_id, expires_at } = row;
        return { ok: true, code: { id, email, registration_id, account_id, expires_at } };
      }
      q.addFailure(row.id, CODE_TRIES, now);
      attempts.record({ kind: 'code', success: false, memberId: p.memberId, accountId: row.account_id, clientIp: p.clientIp });
      // The hourly limit first: a new code would not help, so "resend" would be bad advice.
      if (attempts.failuresByMember(p.memberId, ['code'], hourAgo) >= WRONG_ENTRIES_PER_HOUR) return { ok: false, reason: 'too_many' };
      const remainingTries = CODE_TRIES - (row.failed_attempts + 1);
      if (remainingTries <= 0) return { ok: false, reason: 'voided', remainingTries: 0 };
      return { ok: false, reason: 'wrong', remainingTries };
    });
  }

  /** Call INSIDE the caller's transaction: false when the code is no longer open (another request used it). */
  function consume(codeId: number): boolean {
    if (!db.inTransaction) throw new Error('email code consume() must run inside a transaction');
    return q.consume(codeId, clock.now());
  }

  /** When the hourly cap on codes is reached, the time a new code may be sent; else undefined. */
  function hourlyLimitRetryAt(purpose: CodePurpose, memberId: number): number | undefined {
    const now = clock.now();
    const recent = q.createdSince(memberId, purpose, now - HOUR);
    if (recent.length < CODES_PER_HOUR) return undefined;
    // The moment enough of them have left the one-hour window.
    return recent[recent.length - CODES_PER_HOUR]! + HOUR;
  }

  /** A new code to the same address (voiding the old one): ≥ 60 s apart, ≤ 5 resends an hour. */
  function resend(p: { purpose: CodePurpose; member: Member; insurer: Insurer; memberName: string }): ResendResult {
    const result = inTransaction(db, (): ResendResult => {
      const now = clock.now();
      const last = q.newest(p.member.id, p.purpose);
      if (!last || last.consumed_at !== null) return { ok: false, reason: 'none' };
      if (now - last.created_at < RESEND_INTERVAL_MS) {
        return { ok: false, reason: 'too_soon', retryAt: last.created_at + RESEND_INTERVAL_MS };
      }
      const issued = issue({
        purpose: p.purpose,
        member: p.member,
        insurer: p.insurer,
        email: last.email,
        memberName: p.memberName,
        registrationId: last.registration_id ?? undefined,
        accountId: last.account_id ?? undefined,
      });
      return issued.ok ? { ok: true, expiresAt: issued.expiresAt } : issued;
    });
    if (result.ok) deps.outbox.kick();
    return result;
  }

  /** The open code's address and expiry, for the code page (it may have expired). */
  function current(purpose: CodePurpose, memberId: number): { email: string; expires_at: number } | undefined {
    const row = q.newestOpen(memberId, purpose);
    return row ? { email: row.email, expires_at: row.expires_at } : undefined;
  }

  /**
   * The newest code not yet used, even when voided or expired: the code page still shows
   * its address and offers a resend after five wrong entries.
   */
  function latest(purpose: CodePurpose, memberId: number): { email: string; expires_at: number; voided: boolean } | undefined {
    const row = q.newest(memberId, purpose);
    if (!row || row.consumed_at !== null) return undefined;
    return { email: row.email, expires_at: row.expires_at, voided: row.voided_at !== null };
  }

  return { issue, verify, consume, resend, current, latest, hourlyLimitRetryAt };
}

export type EmailCodeService = ReturnType<typeof createEmailCodeService>;

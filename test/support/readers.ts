import type { Db } from '../../src/db/database.js';

/**
 * Named questions the tests ask the database, so a test reads "the account's
 * row" rather than SQL. Reads only: data is made with ./factories.ts.
 */

export interface AccountRow {
  id: number;
  member_id: number;
  login_id: string;
  status: string;
  email: string;
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
  previous_login_at: number | null;
  password_hash: string;
  closed_at: number | null;
  closed_reason: string | null;
  closed_by_staff_id: number | null;
}

export interface MemberRow {
  id: number;
  symbol: string;
  number: string;
  birth_date: string;
  name: string;
  name_kana: string;
  kana_key: string;
  kana_variant_key: string;
  email: string | null;
  status: string;
  signup_locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface AuditRow {
  action: string;
  staff_login: string;
  query: string | null;
  member_id: number | null;
  reason: string | null;
  detail: string | null;
}

export interface RegistrationRow {
  login_id: string;
  password_hash: string;
  email: string;
  completed_at: number | null;
}

export interface EmailCodeRow {
  purpose: string;
  email: string;
  account_id: number | null;
  code_hash: string;
  failed_attempts: number;
  consumed_at: number | null;
  voided_at: number | null;
}

export interface AttemptRow {
  kind: string;
  success: number;
  member_id: number | null;
}

export interface OutboxRow {
  kind: string;
  to_address: string;
  subject: string;
  member_id: number;
  account_id: number;
  sensitive: number;
}

const ACCOUNT_COLUMNS = `id, member_id, login_id, status, email, failed_logins, locked_until, last_login_at,
  previous_login_at, password_hash, closed_at, closed_reason, closed_by_staff_id`;

export function createReaders(db: Db) {
  return {
    /** One account by id (throws when there is none: a test that expects one should say so). */
    account(id: number): AccountRow {
      const row = db.prepare<[number], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`).get(id);
      if (!row) throw new Error(`no account ${id}`);
      return row;
    },

    /** Every account of a member, oldest first (closed ones stay as history). */
    accountsOf(memberId: number): AccountRow[] {
      return db.prepare<[number], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE member_id = ? ORDER BY id`).all(memberId);
    },

    /** The member's signup registration (the first, when a test made several). */
    registrationOf(memberId: number): RegistrationRow | undefined {
      return db
        .prepare<[number], RegistrationRow>(
          'SELECT login_id, password_hash, email, completed_at FROM signup_registrations WHERE member_id = ? ORDER BY id',
        )
        .get(memberId);
    },

    /** Every e-mail code sent for a member, oldest first (only hashes are stored). */
    codesOf(memberId: number): EmailCodeRow[] {
      return db
        .prepare<[number], EmailCodeRow>(
          `SELECT purpose, email, account_id, code_hash, failed_attempts, consumed_at, voided_at
             FROM email_codes WHERE member_id = ? ORDER BY id`,
        )
        .all(memberId);
    },

    /** Until when the member's record is locked for signup (null: not locked). */
    signupLockedUntil(memberId: number): number | null {
      return db.prepare('SELECT signup_locked_until FROM members WHERE id = ?').pluck().get(memberId) as number | null;
    },

    /** The member's signup lock and when a supervisor last lifted one. */
    signupLock(memberId: number): { signup_locked_until: number | null; signup_unlocked_at: number | null } | undefined {
      return db
        .prepare<[number], { signup_locked_until: number | null; signup_unlocked_at: number | null }>(
          'SELECT signup_locked_until, signup_unlocked_at FROM members WHERE id = ?',
        )
        .get(memberId);
    },

    /** Identity-check and other attempts recorded against a member (null: against no member, the address only). */
    attemptsOfMember(memberId: number | null): AttemptRow[] {
      return db
        .prepare<[number | null], AttemptRow>('SELECT kind, success, member_id FROM attempts WHERE member_id IS ? ORDER BY id')
        .all(memberId);
    },

    /** Attempts of one kind ('login', 'identity', 'userid_forgot', 'password_forgot', 'code' …), oldest first. */
    attempts(kind: string): { success: number; member_id: number | null; account_id: number | null; client_ip: string }[] {
      return db
        .prepare<[string], { success: number; member_id: number | null; account_id: number | null; client_ip: string }>(
          'SELECT success, member_id, account_id, client_ip FROM attempts WHERE kind = ? ORDER BY id',
        )
        .all(kind);
    },

    /** The password-reset links of an account, oldest first (only hashes are stored). */
    resetsOf(accountId: number) {
      return db
        .prepare<[number], { token_hash: string; created_at: number; expires_at: number; used_at: number | null; voided_at: number | null }>(
          'SELECT token_hash, created_at, expires_at, used_at, voided_at FROM password_resets WHERE account_id = ? ORDER BY id',
        )
        .all(accountId);
    },

    /** How many mails are in the outbox, of one kind or of every kind. */
    mailCount(kind?: string): number {
      return kind === undefined
        ? (db.prepare('SELECT count(*) FROM outbox').pluck().get() as number)
        : (db.prepare('SELECT count(*) FROM outbox WHERE kind = ?').pluck().get(kind) as number);
    },

    /** How many stored sessions belong to an account. */
    sessionCount(accountId: number): number {
      return db.prepare('SELECT count(*) FROM sessions WHERE account_id = ?').pluck().get(accountId) as number;
    },

    /** The login attempts recorded against an account (null: those that matched no account). */
    loginAttempts(accountId: number | null) {
      return db
        .prepare<[number | null], { success: number; account_id: number | null; client_ip: string }>(
          `SELECT success, account_id, client_ip FROM attempts WHERE kind = 'login' AND account_id IS ? ORDER BY id`,
        )
        .all(accountId);
    },

    /** The mails queued for an account, oldest first. */
    mailsOfAccount(accountId: number): OutboxRow[] {
      return db
        .prepare<[number], OutboxRow>(
          'SELECT kind, to_address, subject, member_id, account_id, sensitive FROM outbox WHERE account_id = ? ORDER BY id',
        )
        .all(accountId);
    },

    /** Every member of the registry, by card (記号, then 番号 as a number). */
    members(): MemberRow[] {
      return db
        .prepare<[], MemberRow>(
          `SELECT id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key, email, status,
                  signup_locked_until, created_at, updated_at
             FROM members ORDER BY symbol, CAST(number AS INTEGER), number`,
        )
        .all();
    },

    memberCount(): number {
      return db.prepare('SELECT count(*) FROM members').pluck().get() as number;
    },

    /** How many imported members (記号 77) carry an address at each domain: one domain means one whole import won. */
    emailDomainsOfSymbol77(): { domain: string; n: number }[] {
      return db
        .prepare<[], { domain: string; n: number }>(
          "SELECT substr(email, instr(email, '@') + 1) AS domain, count(*) AS n FROM members WHERE symbol = '77' GROUP BY domain",
        )
        .all();
    },

    auditCount(): number {
      return db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    },

    /** The audit log after row `since` (0: all of it), oldest first. */
    auditRows(since = 0): AuditRow[] {
      return db
        .prepare<[number], AuditRow>(
          'SELECT action, staff_login, query, member_id, reason, detail FROM audit_log WHERE id > ? ORDER BY id',
        )
        .all(since);
    },

    lastAuditId(): number {
      return (db.prepare('SELECT max(id) FROM audit_log').pluck().get() as number | null) ?? 0;
    },

    staffId(login: string): number {
      return db.prepare('SELECT id FROM staff WHERE login_id = ?').pluck().get(login) as number;
    },

    /** A staff account's failure count and lock (locked_at null: not locked). */
    staffLock(login: string): { failed_logins: number; locked_at: number | null } | undefined {
      return db
        .prepare<[string], { failed_logins: number; locked_at: number | null }>('SELECT failed_logins, locked_at FROM staff WHERE login_id = ?')
        .get(login);
    },

    /**
     * Rows of a table, optionally narrowed by a condition (for counts the named
     * readers above do not cover yet).
     */
    count(table: string, where = '1 = 1', ...params: unknown[]): number {
      if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
      return db.prepare(`SELECT count(*) FROM ${table} WHERE ${where}`).pluck().get(...params) as number;
    },
  };
}

export type Readers = ReturnType<typeof createReaders>;

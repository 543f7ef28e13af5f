import type { Db } from '../../../db/database.js';
import type { StaffScope } from '../guard.js';

/** A member row with its insurer, as the console reads it. Never handed to a template as is. */
export interface StaffMemberRow {
  id: number;
  insurer_id: number;
  insurer_code: string;
  insurer_name: string;
  symbol: string;
  number: string;
  birth_date: string;
  name: string;
  name_kana: string;
  email: string | null;
  status: 'active' | 'lost';
  signup_locked_until: number | null;
  signup_unlocked_at: number | null;
  updated_at: number;
}

const MEMBER = `m.id, m.insurer_id, i.code AS insurer_code, i.name AS insurer_name, m.symbol, m.number, m.birth_date,
  m.name, m.name_kana, m.email, m.status, m.signup_locked_until, m.signup_unlocked_at, m.updated_at`;

/** The insurers a staff member may see: the whole condition lives here, next to every query that uses it. */
const IN_SCOPE = `(@all = 1 OR m.insurer_id IN (SELECT insurer_id FROM staff_insurers WHERE staff_id = @staffId))`;
const scopeParams = (s: StaffScope) => ({ all: s.all ? 1 : 0, staffId: s.staffId });

export const SEARCH_LIMIT = 50;

export function findMembersByCard(db: Db, scope: StaffScope, insurerId: number, symbol: string, number: string): StaffMemberRow[] {
  return db
    .prepare<[object], StaffMemberRow>(
      `SELECT ${MEMBER} FROM members m JOIN insurers i ON i.id = m.insurer_id
       WHERE m.insurer_id = @insurerId AND m.symbol = @symbol AND m.number = @number AND ${IN_SCOPE}`,
    )
    .all({ ...scopeParams(scope), insurerId, symbol, number });
}

/** Both kana keys, each through its own index (members_by_kana, members_by_kana_variant). */
export function findMembersByKana(
  db: Db,
  scope: StaffScope,
  keys: { key: string; variantKey: string },
  birthDate: string,
): StaffMemberRow[] {
  return db
    .prepare<[object], StaffMemberRow>(
      `SELECT ${MEMBER} FROM members m JOIN insurers i ON i.id = m.insurer_id
       WHERE m.id IN (
           SELECT id FROM members WHERE kana_key = @key AND birth_date = @birthDate
           UNION
           SELECT id FROM members WHERE kana_variant_key = @variantKey AND birth_date = @birthDate)
         AND ${IN_SCOPE}
       ORDER BY i.code, m.symbol, m.number LIMIT ${SEARCH_LIMIT + 1}`,
    )
    .all({ ...scopeParams(scope), key: keys.key, variantKey: keys.variantKey, birthDate });
}

/** Whether any member has this id, whatever their insurer (for the audit row of a refused request). */
export function memberExists(db: Db, memberId: number): boolean {
  return db.prepare<[number], number>('SELECT 1 FROM members WHERE id = ?').pluck().get(memberId) !== undefined;
}

export function findMemberInScope(db: Db, scope: StaffScope, memberId: number): StaffMemberRow | undefined {
  return db
    .prepare<[object], StaffMemberRow>(
      `SELECT ${MEMBER} FROM members m JOIN insurers i ON i.id = m.insurer_id WHERE m.id = @memberId AND ${IN_SCOPE}`,
    )
    .get({ ...scopeParams(scope), memberId });
}

export interface AccountRow {
  id: number;
  login_id: string;
  email: string;
  status: 'active' | 'closed';
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
  previous_login_at: number | null;
  created_at: number;
  closed_at: number | null;
  closed_reason: string | null;
}

/** Every account of the member, newest first (closed ones are history). */
export function memberAccounts(db: Db, memberId: number): AccountRow[] {
  return db
    .prepare<[number], AccountRow>(
      `SELECT id, login_id, email, status, failed_logins, locked_until, last_login_at, previous_login_at, created_at,
         closed_at, closed_reason
       FROM accounts WHERE member_id = ? ORDER BY created_at DESC, id DESC`,
    )
    .all(memberId);
}

export interface PendingSignupRow {
  registration_id: number;
  login_id: string;
  email: string;
  registered_at: number;
  code_created_at: number | null;
  code_expires_at: number | null;
  code_consumed_at: number | null;
  code_voided_at: number | null;
}

/** The newest signup not completed, with its newest signup code. */
export function newestPendingSignup(db: Db, memberId: number): PendingSignupRow | undefined {
  return db
    .prepare<[number], PendingSignupRow>(
      `SELECT r.id AS registration_id, r.login_id, r.email, r.created_at AS registered_at,
         c.created_at AS code_created_at, c.expires_at AS code_expires_at,
         c.consumed_at AS code_consumed_at, c.voided_at AS code_voided_at
       FROM signup_registrations r
       LEFT JOIN email_codes c ON c.id = (
         SELECT id FROM email_codes WHERE registration_id = r.id AND purpose = 'signup' ORDER BY created_at DESC, id DESC LIMIT 1)
       WHERE r.member_id = ? AND r.completed_at IS NULL
       ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
    )
    .get(memberId);
}

export interface FailureRow {
  kind: string;
  count: number;
  last_at: number;
}

/** Failed identity checks, logins and code entries since `since`, by the member or any of their accounts. */
export function recentFailures(db: Db, memberId: number, since: number): FailureRow[] {
  return db
    .prepare<[number, number, number, number], FailureRow>(
      `SELECT kind, count(*) AS count, max(at) AS last_at FROM (
         SELECT id, kind, at FROM attempts WHERE member_id = ? AND success = 0 AND at >= ?
         UNION
         SELECT id, kind, at FROM attempts
         WHERE account_id IN (SELECT id FROM accounts WHERE member_id = ?) AND success = 0 AND at >= ?)
       WHERE kind IN ('identity', 'login', 'code')
       GROUP BY kind`,
    )
    .all(memberId, since, memberId, since);
}

export interface TermsRow {
  version: number;
  accepted_at: number;
}

export function latestTermsAcceptance(db: Db, accountId: number): TermsRow | undefined {
  return db
    .prepare<[number], TermsRow>(
      `SELECT v.version, a.accepted_at FROM terms_acceptances a JOIN terms_versions v ON v.id = a.terms_version_id
       WHERE a.account_id = ? ORDER BY v.version DESC LIMIT 1`,
    )
    .get(accountId);
}

export function latestTermsVersion(db: Db, insurerId: number, now: number): number | undefined {
  return db
    .prepare<[number, number], number>(
      'SELECT max(version) FROM terms_versions WHERE insurer_id = ? AND published_at <= ?',
    )
    .pluck()
    .get(insurerId, now) ?? undefined;
}

export interface MailRow {
  id: number;
  kind: string;
  to_address: string;
  created_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
}

/**
 * Every mail to the member, newest first, through outbox_by_member (so every
 * mail about a member must carry its member_id). Bodies are not read.
 */
export function memberMails(db: Db, memberId: number): MailRow[] {
  return db
    .prepare<[number], MailRow>(
      `SELECT id, kind, to_address, created_at, sent_at, attempts, last_error, next_attempt_at FROM outbox
       WHERE member_id = ? ORDER BY created_at DESC, id DESC`,
    )
    .all(memberId);
}

export interface MismatchRow {
  mismatch: 'birthdate' | 'name' | 'both' | null;
  count: number;
}

/**
 * What did not match in the member's failed identity checks since `since`, from
 * `attempts.mismatch` ('birthdate' | 'name' | 'both'), which the identity check fills.
 * Databases from before that column answer [] (the page then shows counts only).
 */
export function identityMismatches(db: Db, memberId: number, since: number): MismatchRow[] {
  // Asked each time (a page view, not a hot path): the column arrives with a migration.
  const present = (db.pragma('table_info(attempts)') as { name: string }[]).some((c) => c.name === 'mismatch');
  if (!present) return [];
  return db
    .prepare<[number, number], MismatchRow>(
      `SELECT mismatch, count(*) AS count FROM attempts
       WHERE member_id = ? AND kind = 'identity' AND success = 0 AND at >= ?
       GROUP BY mismatch ORDER BY count(*) DESC`,
    )
    .all(memberId, since);
}

/** The society's pre-registered address: replaced, or cleared with null. */
export function setRegistryEmail(db: Db, memberId: number, email: string | null, now: number): void {
  db.prepare('UPDATE members SET email = ?, updated_at = ? WHERE id = ?').run(email, now, memberId);
}

import type { Db } from '../../db/database.js';

export type StaffRole = 'operator' | 'reviewer' | 'supervisor';

/** A staff row as the sign-in and the guard read it. Never handed to a template. */
export interface StaffRow {
  id: number;
  login_id: string;
  role: StaffRole;
  password_hash: string;
  must_change_password: number;
  totp_secret: string | null;
  totp_enrolled_at: number | null;
  totp_last_step: number | null;
  failed_logins: number;
  locked_at: number | null;
  disabled_at: number | null;
  all_insurers: number;
  created_at: number;
}

const COLUMNS =
  'id, login_id, role, password_hash, must_change_password, totp_secret, totp_enrolled_at, totp_last_step, ' +
  'failed_logins, locked_at, disabled_at, all_insurers, created_at';

export function findStaffByLogin(db: Db, loginId: string): StaffRow | undefined {
  return db.prepare<[string], StaffRow>(`SELECT ${COLUMNS} FROM staff WHERE login_id = ?`).get(loginId);
}

export function findStaffById(db: Db, id: number): StaffRow | undefined {
  return db.prepare<[number], StaffRow>(`SELECT ${COLUMNS} FROM staff WHERE id = ?`).get(id);
}

export function listStaff(db: Db): StaffRow[] {
  return db.prepare<[], StaffRow>(`SELECT ${COLUMNS} FROM staff ORDER BY login_id`).all();
}

/** Insurer codes a staff member is limited to (empty for all-insurer staff). */
export function staffInsurerCodes(db: Db, staffId: number): string[] {
  return db
    .prepare<[number], string>(
      `SELECT i.code FROM staff_insurers si JOIN insurers i ON i.id = si.insurer_id WHERE si.staff_id = ? ORDER BY i.code`,
    )
    .pluck()
    .all(staffId);
}

export function insertStaff(
  db: Db,
  s: { loginId: string; role: StaffRole; passwordHash: string; allInsurers: boolean; insurerIds: number[] },
  now: number,
): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO staff (login_id, role, password_hash, must_change_password, all_insurers, created_at)
         VALUES (?, ?, ?, 1, ?, ?)`,
      )
      .run(s.loginId, s.role, s.passwordHash, s.allInsurers ? 1 : 0, now).lastInsertRowid,
  );
  const link = db.prepare('INSERT INTO staff_insurers (staff_id, insurer_id) VALUES (?, ?)');
  for (const insurerId of s.insurerIds) link.run(id, insurerId);
  return id;
}

/** One more failure in a row; locks the account at `lockAt`. Returns whether this failure locked it. */
export function countStaffFailure(db: Db, id: number, now: number, lockAt: number): boolean {
  const row = db
    .prepare<[number, number, number], { failed_logins: number; locked_at: number | null }>(
      `UPDATE staff SET failed_logins = failed_logins + 1,
         locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= ? THEN ? ELSE locked_at END
       WHERE id = ? RETURNING failed_logins, locked_at`,
    )
    .get(lockAt, now, id);
  return row !== undefined && row.locked_at === now && row.failed_logins === lockAt;
}

export function clearStaffFailures(db: Db, id: number): void {
  db.prepare('UPDATE staff SET failed_logins = 0 WHERE id = ?').run(id);
}

export function setStaffPassword(db: Db, id: number, passwordHash: string): void {
  db.prepare('UPDATE staff SET password_hash = ?, must_change_password = 0 WHERE id = ?').run(passwordHash, id);
}

/** A new secret waiting for its first code; the enrolment is not complete until confirmTotp. */
export function setPendingTotpSecret(db: Db, id: number, secret: string): void {
  db.prepare('UPDATE staff SET totp_secret = ?, totp_enrolled_at = NULL, totp_last_step = NULL WHERE id = ?').run(secret, id);
}

export function confirmTotpEnrolment(db: Db, id: number, now: number): void {
  db.prepare('UPDATE staff SET totp_enrolled_at = ? WHERE id = ?').run(now, id);
}

/**
 * Records the time step of an accepted code, only if it is later than the last
 * one used: a code (or an earlier one) cannot be replayed, even by two requests at once.
 */
export function useTotpStep(db: Db, id: number, step: number): boolean {
  return (
    db
      .prepare('UPDATE staff SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)')
      .run(step, id, step).changes === 1
  );
}

export function disableStaff(db: Db, id: number, now: number): void {
  db.prepare('UPDATE staff SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL').run(now, id);
}

export function enableStaff(db: Db, id: number): void {
  db.prepare('UPDATE staff SET disabled_at = NULL WHERE id = ?').run(id);
}

/**
 * A new one-time password: it must be changed at the next sign-in. The failures
 * that locked the account are cleared with it (the person could not sign in otherwise).
 */
export function resetStaffPassword(db: Db, id: number, passwordHash: string): void {
  db.prepare('UPDATE staff SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_at = NULL WHERE id = ?').run(passwordHash, id);
}

/** Forgets the authenticator: the next sign-in enrols a new one (a fresh secret). */
export function resetStaffAuthenticator(db: Db, id: number): void {
  db.prepare('UPDATE staff SET totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL WHERE id = ?').run(id);
}

export function unlockStaff(db: Db, id: number): void {
  db.prepare('UPDATE staff SET locked_at = NULL, failed_logins = 0 WHERE id = ?').run(id);
}

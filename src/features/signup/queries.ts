import type { Db } from '../../db/database.js';

/** Signup step 2 → 3: what the member chose, waiting for the e-mail code. */
export interface Registration {
  id: number;
  member_id: number;
  login_id: string;
  password_hash: string;
  email: string;
  created_at: number;
  completed_at: number | null;
}

const REGISTRATION_COLUMNS = 'id, member_id, login_id, password_hash, email, created_at, completed_at';

/** The signup flow's SQL, prepared once. login_id columns are COLLATE NOCASE: `=` ignores case. */
export function createSignupQueries(db: Db) {
  // Another member's registration still waiting on an open, unexpired code holds its ID.
  const heldByOtherRegistration = db.prepare<[string, number, number], number>(
    `SELECT count(*) FROM signup_registrations r
     WHERE r.login_id = ? AND r.member_id <> ? AND r.completed_at IS NULL
       AND EXISTS (SELECT 1 FROM email_codes c
                   WHERE c.registration_id = r.id AND c.consumed_at IS NULL AND c.voided_at IS NULL AND c.expires_at > ?)`,
  );
  const insertRegistration = db.prepare(
    `INSERT INTO signup_registrations (member_id, login_id, password_hash, email, created_at)
     VALUES (@memberId, @loginId, @passwordHash, @email, @now)`,
  );
  const registrationById = db.prepare<[number], Registration>(
    `SELECT ${REGISTRATION_COLUMNS} FROM signup_registrations WHERE id = ?`,
  );
  const latestOpenRegistration = db.prepare<[number], Registration>(
    `SELECT ${REGISTRATION_COLUMNS} FROM signup_registrations
     WHERE member_id = ? AND completed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const completeRegistration = db.prepare<[number, number, number]>(
    'UPDATE signup_registrations SET completed_at = ?, account_id = ? WHERE id = ? AND completed_at IS NULL',
  );
  heldByOtherRegistration.pluck();

  return {
    loginIdHeldByOtherMember: (loginId: string, memberId: number, now: number) =>
      (heldByOtherRegistration.get(loginId, memberId, now) ?? 0) > 0,
    insertRegistration: (r: { memberId: number; loginId: string; passwordHash: string; email: string; now: number }) =>
      Number(insertRegistration.run(r).lastInsertRowid),
    registrationById: (id: number) => registrationById.get(id),
    latestOpenRegistration: (memberId: number) => latestOpenRegistration.get(memberId),
    completeRegistration: (id: number, accountId: number, now: number) =>
      completeRegistration.run(now, accountId, id).changes === 1,
  };
}

export type SignupQueries = ReturnType<typeof createSignupQueries>;

import type { Db } from '../../db/database.js';

export type AttemptKind =
  | 'identity'
  | 'login'
  | 'code'
  | 'userid_forgot'
  | 'password_forgot'
  | 'staff_login'
  | 'login_id_taken';

export type Mismatch = 'birthdate' | 'name' | 'both';

export interface NewAttempt {
  kind: AttemptKind;
  success: boolean;
  memberId?: number | null;
  accountId?: number | null;
  staffId?: number | null;
  clientIp: string;
  addressKey: string;
  mismatch?: Mismatch | null;
  at: number;
}

/** Who a failure count is about: one member record, one account, one staff member or one address. */
export type AttemptSubject =
  | { memberId: number }
  | { accountId: number }
  | { staffId: number }
  | { addressKey: string };

const SUBJECT_COLUMN = { memberId: 'member_id', accountId: 'account_id', staffId: 'staff_id', addressKey: 'address_key' } as const;

/**
 * The ledger's SQL. Counts use the partial indexes on failures (migration 0005); a count
 * statement is prepared once per subject and set of kinds, the first time it is asked for.
 */
export function createAttemptQueries(db: Db) {
  const insert = db.prepare(
    `INSERT INTO attempts (kind, success, member_id, account_id, staff_id, client_ip, address_key, mismatch, at)
     VALUES (@kind, @success, @memberId, @accountId, @staffId, @clientIp, @addressKey, @mismatch, @at)`,
  );
  const markSucceeded = db.prepare<[number]>('UPDATE attempts SET success = 1 WHERE id = ?');
  const counts = new Map<string, ReturnType<typeof db.prepare<[string | number, number], number>>>();

  function countStatement(column: string, kinds: readonly AttemptKind[], failuresOnly = true) {
    const key = `${column}:${kinds.join(',')}:${failuresOnly}`;
    let statement = counts.get(key);
    if (!statement) {
      const list = kinds.map((k) => `'${k}'`).join(', ');
      statement = db
        .prepare<[string | number, number], number>(
          `SELECT count(*) FROM attempts WHERE ${column} = ? AND kind IN (${list}) ${failuresOnly ? 'AND success = 0' : ''} AND at > ?`,
        )
        .pluck();
      counts.set(key, statement);
    }
    return statement;
  }

  return {
    insert: (a: NewAttempt) =>
      Number(
        insert.run({
          kind: a.kind,
          success: a.success ? 1 : 0,
          memberId: a.memberId ?? null,
          accountId: a.accountId ?? null,
          staffId: a.staffId ?? null,
          clientIp: a.clientIp.slice(0, 100),
          addressKey: a.addressKey,
          mismatch: a.mismatch ?? null,
          at: a.at,
        }).lastInsertRowid,
      ),
    markSucceeded: (id: number) => {
      markSucceeded.run(id);
    },
    /** Failures of `kinds` about `subject` after `since` (exclusive). */
    failuresSince: (subject: AttemptSubject, kinds: readonly AttemptKind[], since: number): number => {
      const [field, value] = Object.entries(subject)[0] as [keyof typeof SUBJECT_COLUMN, string | number];
      return countStatement(SUBJECT_COLUMN[field], kinds).get(value, since) ?? 0;
    },
    /** Every attempt (failed or not) of `kinds` from one address after `since`. */
    allFromAddressSince: (key: string, kinds: readonly AttemptKind[], since: number): number =>
      countStatement('address_key', kinds, false).get(key, since) ?? 0,
  };
}

export type AttemptQueries = ReturnType<typeof createAttemptQueries>;

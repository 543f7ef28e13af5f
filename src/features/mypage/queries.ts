import type { Db } from '../../db/database.js';

/** My page's own SQL: the e-mail change. (Password writes are shared with recovery.) */
export function createMypageQueries(db: Db) {
  const updateEmail = db.prepare<[string, number]>("UPDATE accounts SET email = ? WHERE id = ? AND status = 'active'");
  return {
    /** False when the account is no longer active. */
    updateEmail: (accountId: number, email: string) => updateEmail.run(email, accountId).changes === 1,
  };
}

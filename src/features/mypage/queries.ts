import type { Db } from '../../db/database.js';

/** My page's own SQL: the member's card, the e-mail change. (Password writes are shared with recovery.) */
export function createMypageQueries(db: Db) {
  const updateEmail = db.prepare<[string, number]>("UPDATE accounts SET email = ? WHERE id = ? AND status = 'active'");
  const memberCard = db.prepare<[number], { symbol: string; number: string; status: 'active' | 'lost' }>(
    'SELECT symbol, number, status FROM members WHERE id = ?',
  );
  return {
    /** The member's own 記号・番号 and 資格 for my page. */
    memberCard: (memberId: number) => memberCard.get(memberId),
    /** False when the account is no longer active. */
    updateEmail: (accountId: number, email: string) => updateEmail.run(email, accountId).changes === 1,
  };
}

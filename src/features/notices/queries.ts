import type { Db } from '../../db/database.js';

export interface NoticeRow {
  id: number;
  title: string;
  body: string;
  published_at: number;
  until_date: string | null;
}

/** The notices' SQL (notices_by_insurer). */
export function createNoticeQueries(db: Db) {
  const current = db.prepare<[number, string], NoticeRow>(
    `SELECT id, title, body, published_at, until_date FROM notices
     WHERE insurer_id = ? AND (until_date IS NULL OR until_date >= ?)
     ORDER BY published_at DESC, id DESC LIMIT 20`,
  );
  const insert = db.prepare<[number, string, string, number, string | null]>(
    'INSERT INTO notices (insurer_id, title, body, published_at, until_date) VALUES (?, ?, ?, ?, ?)',
  );
  return {
    /** Notices shown on `today` (YYYY-MM-DD, Japan time), newest first. */
    current: (insurerId: number, today: string) => current.all(insurerId, today),
    insert: (n: { insurerId: number; title: string; body: string; now: number; untilDate: string | null }) =>
      Number(insert.run(n.insurerId, n.title, n.body, n.now, n.untilDate).lastInsertRowid),
  };
}

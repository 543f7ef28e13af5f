import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { addDays, todayJst } from '../features/survey/dates.js';
import { findMemberByCard } from '../features/registry/members.js';

/** The demo survey's targets: the demo member with a spouse and a student child, 1001-2 with a parent living apart. */
const DEMO_TARGETS = [
  { symbol: '1001', number: '1', no: '1', name: '健保 一郎', kana: 'ケンポ イチロウ', birth: '1983-06-10', rel: '配偶者' },
  { symbol: '1001', number: '1', no: '2', name: '健保 さくら', kana: 'ケンポ サクラ', birth: '2005-09-01', rel: '子' },
  { symbol: '1001', number: '2', no: '1', name: '保険 みち子', kana: 'ホケン ミチコ', birth: '1958-03-03', rel: '母' },
];

/**
 * An open survey of the demo insurer around today (two weeks begun, a month to go), so a fresh
 * `npm start` shows the survey on my page at once. Call inside the seeding transaction.
 */
export function seedDemoSurvey(deps: { db: Db; clock: Clock }, insurerId: number): number {
  const { db, clock } = deps;
  const now = clock.now();
  const today = todayJst(now);
  const surveyId = Number(
    db
      .prepare('INSERT INTO surveys (insurer_id, title, opens_on, closes_on, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(insurerId, `${today.slice(0, 4)}年度 被扶養者資格調査`, addDays(today, -14), addDays(today, 30), now).lastInsertRowid,
  );
  for (const t of DEMO_TARGETS) {
    const member = findMemberByCard(db, insurerId, t.symbol, t.number);
    if (!member) continue;
    db.prepare('INSERT INTO survey_cases (survey_id, member_id, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(surveyId, member.id, now, now);
    const caseId = db.prepare('SELECT id FROM survey_cases WHERE survey_id = ? AND member_id = ?').pluck().get(surveyId, member.id) as number;
    db.prepare(
      `INSERT INTO survey_dependents (case_id, dependent_no, name, name_kana, birth_date, relationship, certified_on, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    ).run(caseId, t.no, t.name, t.kana, t.birth, t.rel, now, now);
  }
  return surveyId;
}

import type { Db } from '../../db/database.js';
import type { CaseStatus } from './labels.js';

export interface SurveyRow {
  id: number;
  insurer_id: number;
  title: string;
  opens_on: string;
  closes_on: string;
}

const COLUMNS = 'id, insurer_id, title, opens_on, closes_on';

/** The surveys table: create, find, list with counts by status. */
export function createSurveyQueries(db: Db) {
  const insert = db.prepare<[number, string, string, string, number]>(
    'INSERT INTO surveys (insurer_id, title, opens_on, closes_on, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[number], SurveyRow>(`SELECT ${COLUMNS} FROM surveys WHERE id = ?`);
  const overlapping = db.prepare<[number, string, string], SurveyRow>(
    `SELECT ${COLUMNS} FROM surveys WHERE insurer_id = ? AND opens_on <= ? AND closes_on >= ? ORDER BY opens_on LIMIT 1`,
  );
  const all = db.prepare<[], SurveyRow>(`SELECT ${COLUMNS} FROM surveys ORDER BY opens_on DESC, id DESC`);
  const ofInsurer = db.prepare<[number], SurveyRow>(`SELECT ${COLUMNS} FROM surveys WHERE insurer_id = ? ORDER BY opens_on DESC, id DESC`);
  const openOn = db.prepare<[number, string, string], SurveyRow>(
    `SELECT ${COLUMNS} FROM surveys WHERE insurer_id = ? AND opens_on <= ? AND closes_on >= ? ORDER BY opens_on DESC LIMIT 1`,
  );
  const openSurveys = db.prepare<[string, string], SurveyRow>(
    `SELECT ${COLUMNS} FROM surveys WHERE opens_on <= ? AND closes_on >= ? ORDER BY id`,
  );
  const statusCounts = db.prepare<[number], { status: CaseStatus; n: number }>(
    'SELECT status, count(*) AS n FROM survey_cases WHERE survey_id = ? GROUP BY status',
  );

  return {
    insert: (s: { insurerId: number; title: string; opensOn: string; closesOn: string; now: number }) =>
      Number(insert.run(s.insurerId, s.title, s.opensOn, s.closesOn, s.now).lastInsertRowid),
    byId: (id: number) => byId.get(id),
    /** A survey of the insurer whose period shares a day with [opensOn, closesOn]. */
    overlapping: (insurerId: number, opensOn: string, closesOn: string) => overlapping.get(insurerId, closesOn, opensOn),
    list: (insurerId?: number) => (insurerId === undefined ? all.all() : ofInsurer.all(insurerId)),
    /** The insurer's survey open on `today` (Japan day). */
    openFor: (insurerId: number, today: string) => openOn.get(insurerId, today, today),
    openOn: (today: string) => openSurveys.all(today, today),
    statusCounts: (surveyId: number) => statusCounts.all(surveyId),
  };
}

export type SurveyQueries = ReturnType<typeof createSurveyQueries>;

import type { Db } from '../../db/database.js';

/** SQL of import-targets: registry look-ups, the upsert, and what a re-import removes or keeps. */
export function createTargetQueries(db: Db) {
  const memberByCard = db.prepare<[number, string, string], number>('SELECT id FROM members WHERE insurer_id = ? AND symbol = ? AND number = ?');
  memberByCard.pluck();
  const upsertDependent = db.prepare<{ caseId: number; no: string; name: string; kana: string; birth: string; rel: string; cert: string | null; now: number }>(
    `INSERT INTO survey_dependents (case_id, dependent_no, name, name_kana, birth_date, relationship, certified_on, created_at, updated_at)
     VALUES (@caseId, @no, @name, @kana, @birth, @rel, @cert, @now, @now)
     ON CONFLICT (case_id, dependent_no) DO UPDATE SET name = excluded.name, name_kana = excluded.name_kana,
       birth_date = excluded.birth_date, relationship = excluded.relationship, certified_on = excluded.certified_on,
       updated_at = excluded.updated_at`,
  );
  const existingIds = db.prepare<[number], number>(
    'SELECT d.id FROM survey_dependents d JOIN survey_cases c ON c.id = d.case_id WHERE c.survey_id = ?',
  );
  existingIds.pluck();
  const idOf = db.prepare<[number, string], number>('SELECT id FROM survey_dependents WHERE case_id = ? AND dependent_no = ?');
  idOf.pluck();
  const withAnswers = db.prepare<[number], { id: number; symbol: string; number: string; dependent_no: string; name: string }>(
    `SELECT d.id, m.symbol, m.number, d.dependent_no, d.name FROM survey_dependents d
     JOIN survey_cases c ON c.id = d.case_id JOIN members m ON m.id = c.member_id
     WHERE d.id = ? AND (EXISTS (SELECT 1 FROM survey_answers a WHERE a.dependent_id = d.id)
       OR EXISTS (SELECT 1 FROM survey_documents x WHERE x.dependent_id = d.id)
       OR EXISTS (SELECT 1 FROM survey_decisions y WHERE y.dependent_id = d.id))`,
  );
  const deleteDependent = db.prepare<[number]>('DELETE FROM survey_dependents WHERE id = ?');
  const emptyCases = db.prepare<[number], number>(
    `SELECT id FROM survey_cases c WHERE survey_id = ? AND status = 'not_started'
       AND NOT EXISTS (SELECT 1 FROM survey_dependents d WHERE d.case_id = c.id)`,
  );
  emptyCases.pluck();
  const deleteNotifications = db.prepare<[number]>('DELETE FROM survey_notifications WHERE case_id = ?');
  const deleteCase = db.prepare<[number]>('DELETE FROM survey_cases WHERE id = ?');

  return {
    memberByCard: (insurerId: number, symbol: string, number: string) => memberByCard.get(insurerId, symbol, number),
    upsertDependent: (d: { caseId: number; no: string; name: string; kana: string; birth: string; rel: string; cert: string | null; now: number }) =>
      upsertDependent.run(d),
    dependentId: (caseId: number, no: string) => idOf.get(caseId, no),
    existingIds: (surveyId: number) => existingIds.all(surveyId),
    /** The dependent, when a member answered for it, uploaded for it or the society decided on it. */
    withAnswers: (id: number) => withAnswers.get(id),
    deleteDependent: (id: number) => deleteDependent.run(id),
    deleteEmptyCases(surveyId: number): number {
      const ids = emptyCases.all(surveyId);
      for (const id of ids) {
        deleteNotifications.run(id);
        deleteCase.run(id);
      }
      return ids.length;
    },
  };
}

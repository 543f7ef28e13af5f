import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { isRealDate } from '../../lib/time.js';
import { CASE_STATUS_LABELS, type CaseStatus } from './labels.js';
import { createSurveyQueries, type SurveyRow } from './survey-queries.js';

export const SURVEY_TITLE_MAX = 100;

export type CreateSurveyResult = { ok: true; id: number } | { ok: false; problem: string };

export interface SurveySummary extends SurveyRow {
  counts: Record<CaseStatus, number>;
  cases: number;
}

/** `portal survey create|list`: surveys of an insurer, which may not overlap. */
export function createSurveysService(deps: { db: Db; clock: Clock }) {
  const q = createSurveyQueries(deps.db);
  return {
    create(s: { insurerId: number; title: string; opensOn: string; closesOn: string }): CreateSurveyResult {
      const title = s.title.trim();
      if (title === '' || title.length > SURVEY_TITLE_MAX) return { ok: false, problem: `--title must be 1–${SURVEY_TITLE_MAX} characters` };
      if (!isRealDate(s.opensOn)) return { ok: false, problem: `--opens "${s.opensOn}" is not a date (YYYY-MM-DD)` };
      if (!isRealDate(s.closesOn)) return { ok: false, problem: `--closes "${s.closesOn}" is not a date (YYYY-MM-DD)` };
      if (s.closesOn < s.opensOn) return { ok: false, problem: `--closes ${s.closesOn} is before --opens ${s.opensOn}` };
      // Checked and written under the write lock: two creates at once cannot both pass.
      return deps.db.transaction((): CreateSurveyResult => {
        const clash = q.overlapping(s.insurerId, s.opensOn, s.closesOn);
        if (clash) {
          return { ok: false, problem: `overlaps survey ${clash.id} "${clash.title}" (${clash.opens_on} – ${clash.closes_on}) of the same insurer` };
        }
        return { ok: true, id: q.insert({ ...s, title, now: deps.clock.now() }) };
      }).immediate();
    },
    find: (id: number) => q.byId(id),
    list(insurerId?: number): SurveySummary[] {
      return q.list(insurerId).map((s) => {
        const counts = Object.fromEntries(Object.keys(CASE_STATUS_LABELS).map((k) => [k, 0])) as Record<CaseStatus, number>;
        let cases = 0;
        for (const c of q.statusCounts(s.id)) {
          counts[c.status] = c.n;
          cases += c.n;
        }
        return { ...s, counts, cases };
      });
    },
  };
}

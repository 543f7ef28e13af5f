import { inTransaction, type Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { CLI_ACTOR, recordAudit } from '../../audit/writer.js';
import type { DocumentStore } from '../documents/store.js';
import type { SurveyRow } from '../survey-queries.js';
import { createReviewQueries } from './queries.js';

/** Midnight at the start of a Japan calendar day, in UTC milliseconds. */
const jstMidnight = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) - 9 * 3_600_000;

/**
 * Retention: the document files of cases completed before a day are removed from the store;
 * their metadata, the answers and the decisions stay. Each file is deleted before its row is
 * marked, so a run cut short is finished by the next one (deleting a missing file is no error).
 */
export function createDocumentPurge(deps: { db: Db; clock: Clock; store: DocumentStore }) {
  const q = createReviewQueries(deps.db);
  return {
    async purge(survey: SurveyRow, before: string): Promise<number> {
      const due = q.purgeable(survey.id, jstMidnight(before));
      let n = 0;
      for (const d of due) {
        await deps.store.delete(d.storage_key);
        if (d.has_thumbnail) await deps.store.delete(`${d.storage_key}.thumb`);
        if (q.markPurged(d.id, deps.clock.now())) n++;
      }
      inTransaction(deps.db, () =>
        recordAudit(deps.db, deps.clock, {
          ...CLI_ACTOR, action: 'purge_survey_documents', query: `調査 ${survey.id}・${before}より前に完了`, detail: `削除したファイル ${n}件`,
        }),
      );
      return n;
    },
  };
}

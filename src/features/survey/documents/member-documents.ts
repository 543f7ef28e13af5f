import type { Readable } from 'node:stream';
import { inTransaction, type Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { createCaseQueries } from '../case-queries.js';
import { EDITABLE } from '../case-view.js';
import { createDocumentQueries, type DocumentRow } from './queries.js';
import type { DocumentStore } from './store.js';
import type { SurveyMember, SurveyMemberService } from '../member-service.js';

/** The member's own documents: thumbnails and deletion before submitting. */
export function createMemberDocumentService(deps: { db: Db; clock: Clock; store: DocumentStore; members: SurveyMemberService }) {
  const { db, clock, store } = deps;
  const documents = createDocumentQueries(db);
  const cases = createCaseQueries(db);

  /** The document, only when it belongs to the member's current case. */
  function own(m: SurveyMember, id: number): DocumentRow | undefined {
    const current = deps.members.currentCase(m);
    const doc = documents.byId(id);
    return current && doc && doc.case_id === current.kase.id && doc.state !== 'uploading' ? doc : undefined;
  }

  return {
    thumbnail(m: SurveyMember, id: number): Readable | undefined {
      const doc = own(m, id);
      if (!doc || doc.has_thumbnail !== 1 || doc.state === 'deleted') return undefined;
      return store.get(`${doc.storage_key}.thumb`);
    },
    /** Deletes before submitting only; the metadata stays as 'deleted' (the row is the record that it existed). */
    async remove(m: SurveyMember, id: number): Promise<'deleted' | 'not_found' | 'locked'> {
      const outcome = inTransaction(db, () => {
        const doc = own(m, id);
        if (!doc) return 'not_found' as const;
        const kase = cases.byId(doc.case_id)!;
        if (!EDITABLE.has(kase.status) || doc.state !== 'received') return 'locked' as const;
        documents.markDeleted(id, 'member', clock.now());
        return doc;
      });
      if (typeof outcome === 'string') return outcome;
      await Promise.all([store.delete(outcome.storage_key), store.delete(`${outcome.storage_key}.thumb`)]);
      return 'deleted';
    },
  };
}

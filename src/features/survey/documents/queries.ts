import type { Db } from '../../../db/database.js';

export interface DocumentRow {
  id: number;
  case_id: number;
  dependent_id: number;
  kind: string;
  media_type: string | null;
  size: number | null;
  sha256: string | null;
  storage_key: string;
  has_thumbnail: number;
  original_name: string;
  state: 'uploading' | 'received' | 'accepted' | 'rejected' | 'deleted';
  reason: string | null;
  uploaded_at: number;
}

const COLUMNS = 'id, case_id, dependent_id, kind, media_type, size, sha256, storage_key, has_thumbnail, original_name, state, reason, uploaded_at';

/** survey_documents: reservations, stored files' metadata, deletion. */
export function createDocumentQueries(db: Db) {
  const countHeld = db.prepare<[number, number], number>(
    `SELECT count(*) FROM survey_documents
     WHERE case_id = ? AND (state IN ('received', 'accepted') OR (state = 'uploading' AND uploaded_at > ?))`,
  );
  countHeld.pluck();
  const reserve = db.prepare<{ caseId: number; dependentId: number; kind: string; key: string; name: string; now: number; accountId: number }>(
    `INSERT INTO survey_documents (case_id, dependent_id, kind, storage_key, original_name, state, uploaded_at, uploaded_by_account_id)
     VALUES (@caseId, @dependentId, @kind, @key, @name, 'uploading', @now, @accountId)`,
  );
  const complete = db.prepare<{ id: number; mediaType: string; size: number; sha256: string; thumb: number; now: number }>(
    `UPDATE survey_documents SET state = 'received', media_type = @mediaType, size = @size, sha256 = @sha256,
       has_thumbnail = @thumb, uploaded_at = @now WHERE id = @id AND state = 'uploading'`,
  );
  const dropReservation = db.prepare<[number]>(`DELETE FROM survey_documents WHERE id = ? AND state = 'uploading'`);
  const ofCase = db.prepare<[number], DocumentRow>(
    `SELECT ${COLUMNS} FROM survey_documents WHERE case_id = ? AND state <> 'uploading' ORDER BY uploaded_at, id`,
  );
  const byId = db.prepare<[number], DocumentRow>(`SELECT ${COLUMNS} FROM survey_documents WHERE id = ?`);
  const markDeleted = db.prepare<{ reason: string; now: number; id: number }>(
    `UPDATE survey_documents SET state = 'deleted', reason = @reason, deleted_at = @now, file_purged_at = @now WHERE id = @id AND state = 'received'`,
  );
  const staleReservations = db.prepare<[number], { id: number; storage_key: string }>(
    `SELECT id, storage_key FROM survey_documents WHERE state = 'uploading' AND uploaded_at <= ?`,
  );

  return {
    /** Places taken: stored documents plus uploads in flight (a reservation older than `staleBefore` no longer counts). */
    held: (caseId: number, staleBefore: number) => countHeld.get(caseId, staleBefore) ?? 0,
    reserve: (r: { caseId: number; dependentId: number; kind: string; key: string; name: string; now: number; accountId: number }) =>
      Number(reserve.run(r).lastInsertRowid),
    complete: (c: { id: number; mediaType: string; size: number; sha256: string; thumb: boolean; now: number }) =>
      complete.run({ ...c, thumb: c.thumb ? 1 : 0 }).changes === 1,
    dropReservation: (id: number) => {
      dropReservation.run(id);
    },
    ofCase: (caseId: number) => ofCase.all(caseId),
    byId: (id: number) => byId.get(id),
    markDeleted: (id: number, reason: string, now: number) => markDeleted.run({ reason, now, id }).changes === 1,
    staleReservations: (before: number) => staleReservations.all(before),
  };
}

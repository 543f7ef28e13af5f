import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { Deps } from '../../../deps.js';
import { HttpError } from '../../../http/errors.js';
import { createMemberDocumentService } from './member-documents.js';
import { receiveUploads } from './multipart.js';
import type { SurveyMemberService } from '../member-service.js';
import { idParam, surveyMemberOf } from '../member-request.js';
import { createUploadService, MAX_FILE_BYTES, MAX_FILES_PER_CASE, type UploadOutcome } from './uploads.js';

/** `/portal/survey/documents`: the upload form, the multipart upload, thumbnails and deletion. */
export function documentRoutes(deps: Deps, members: SurveyMemberService): Router {
  // One store for the whole app (deps.ts): building a second would sweep the first one's temporary files.
  const store = deps.services.documentStore;
  const uploads = createUploadService({ ...deps, store, members });
  const documents = createMemberDocumentService({ ...deps, store, members });
  void uploads.sweepStale().catch((err: unknown) => deps.logger.error({ err }, 'sweeping stale upload reservations failed'));
  const router = Router();

  function render(res: import('express').Response, status: number, outcomes: UploadOutcome[] = [], notice?: { kind: string; text: string }) {
    const view = members.overview(surveyMemberOf(res));
    if (!view) throw new HttpError(404, 'not_found');
    res.status(status).render('survey/documents.njk', {
      pageTitle: '書類の提出', view, outcomes, pageNotice: notice,
      limits: { fileMb: MAX_FILE_BYTES / 1024 / 1024, perCase: MAX_FILES_PER_CASE },
    });
  }

  router.get('/', (req, res) => {
    const notice = req.query.done === 'uploaded' ? { kind: 'success', text: '書類を受け付けました。' }
      : req.query.done === 'deleted' ? { kind: 'success', text: '書類を削除しました。' } : undefined;
    render(res, 200, [], notice);
  });

  router.post('/', async (req, res) => {
    let result;
    try {
      result = await receiveUploads(req, surveyMemberOf(res), uploads);
    } catch (err) {
      // A cut connection has nobody to answer (the files were cleaned up); a broken form is a 400.
      if (!req.complete || req.destroyed) return;
      deps.logger.warn({ err }, 'malformed upload form');
      throw new HttpError(400, 'bad_request');
    }
    if (result.notFound) throw new HttpError(404, 'not_found');
    if (result.noFile) return render(res, 400, [], { kind: 'error', text: 'ファイルを選択してください。' });
    if (result.outcomes.every((o) => o.ok)) return res.redirect(303, '/portal/survey/documents?done=uploaded');
    render(res, 400, result.outcomes);
  });

  router.get('/:id/thumbnail', async (req, res) => {
    const stream = documents.thumbnail(surveyMemberOf(res), idParam(req.params.id));
    if (!stream) throw new HttpError(404, 'not_found');
    res.set({ 'Content-Type': 'image/jpeg', 'Content-Disposition': 'inline', 'X-Content-Type-Options': 'nosniff' });
    try {
      await pipeline(stream, res);
    } catch (err) {
      // A thumbnail whose file is gone (deleted meanwhile) or fails its GCM check shows as missing.
      deps.logger.warn({ err }, 'survey thumbnail unreadable');
      if (!res.headersSent) throw new HttpError(404, 'not_found');
    }
  });

  router.post('/:id/delete', async (req, res) => {
    const outcome = await documents.remove(surveyMemberOf(res), idParam(req.params.id));
    if (outcome === 'not_found') throw new HttpError(404, 'not_found');
    if (outcome === 'locked') return render(res, 409, [], { kind: 'error', text: '提出済みの書類は削除できません。' });
    res.redirect(303, '/portal/survey/documents?done=deleted');
  });

  return router;
}

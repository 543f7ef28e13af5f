import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Deps } from '../../../deps.js';
import { HttpError } from '../../../http/errors.js';
import { parseForm } from '../../../http/forms.js';
import { recordAudit } from '../../audit/writer.js';
import { clientIp, signedInStaff, type SignedInStaff } from '../../staff/guard.js';
import { recordRefusal } from '../../staff/refusals.js';
import { CASE_STATUS_LABELS } from '../labels.js';
import { idParam } from '../member-request.js';
import type { ReviewOutcome } from './actions.js';
import { PAGE_SIZE, parseQueueFilter, QUEUE_STATUSES } from './progress.js';
import { REJECT_REASONS } from './rules.js';
import { decisionSchema, rejectSchema, requestDocumentsSchema, returnSchema } from './schemas.js';

/** The survey's review is for reviewers and supervisors; an operator keeps the member page's read-only status. */
export const requireReviewer: RequestHandler = (_req, res, next) => {
  const role = (res.locals.staff as SignedInStaff | undefined)?.role;
  if (role !== 'reviewer' && role !== 'supervisor') return next(new HttpError(403, 'forbidden', '資格調査の審査画面は、審査担当とスーパーバイザーのみ利用できます。'));
  next();
};

/** `/staff/survey`: progress and queue, one case with its documents, the reviewer's actions, the exports. */
export function surveyReviewRoutes(deps: Deps): Router {
  const { surveyReviewProgress: progress, surveyReviewCases: cases, surveyReviewActions: actions, surveyExport } = deps.services;
  const router = Router();
  router.use(requireReviewer);

  router.get('/', (req, res) => {
    const staff = signedInStaff(res);
    const surveys = progress.list(staff);
    const asked = typeof req.query.survey === 'string' ? idParam(req.query.survey) : surveys[0]?.id;
    const survey = asked === undefined ? undefined : progress.visibleSurvey(staff, asked);
    if (asked !== undefined && !survey) throw new HttpError(404, 'not_found');
    const filter = parseQueueFilter(req.query as Record<string, unknown>);
    res.render('staff/survey/index.njk', {
      pageTitle: '被扶養者資格調査', surveys, survey, filter, pageSize: PAGE_SIZE,
      progress: survey && progress.progress(survey), queue: survey && progress.queue(survey, filter),
      statuses: QUEUE_STATUSES.map((s) => ({ value: s, label: CASE_STATUS_LABELS[s] })), statusLabels: CASE_STATUS_LABELS,
    });
  });

  function renderCase(req: Request, res: Response, status: number, caseId: number, extra: { problem?: string; errors?: Record<string, string>; values?: Record<string, string> } = {}) {
    const view = cases.open(signedInStaff(res), caseId, clientIp(req));
    if (!view) throw new HttpError(404, 'not_found');
    res.status(status).render('staff/survey/case.njk', {
      pageTitle: `${view.member.name} 様の調査（${view.receiptNumber ?? `ケース ${view.caseId}`}）`, view, rejectReasons: REJECT_REASONS,
      problem: extra.problem, errors: extra.errors ?? {}, values: extra.values ?? {},
    });
  }

  router.get('/cases/:id', (req, res) => renderCase(req, res, 200, idParam(req.params.id)));

  router.get('/documents/:id', async (req, res) => {
    const doc = cases.document(signedInStaff(res), idParam(req.params.id), clientIp(req));
    if (!doc) throw new HttpError(404, 'not_found');
    // Whatever the file holds runs nowhere: no script, no plugin, a sandboxed opaque origin.
    res.set({
      'Content-Type': doc.mediaType,
      'Content-Disposition': `inline; filename="${doc.filename}"`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    try {
      await pipeline(doc.stream, res);
    } catch (err) {
      deps.logger.warn({ err }, 'survey document unreadable');
      if (!res.headersSent) throw new HttpError(404, 'not_found');
    }
  });

  /** After an action: back to the case with the message, or the case again with the problem (audited as a refusal). */
  function finish(req: Request, res: Response, caseId: number, outcome: ReviewOutcome, form: { errors?: Record<string, string>; values?: Record<string, string> } = {}) {
    if (!outcome.ok && 'notFound' in outcome) throw new HttpError(404, 'not_found');
    if (outcome.ok) {
      req.session.staffFlash = outcome.message;
      return res.redirect(303, `/staff/survey/cases/${caseId}`);
    }
    recordRefusal(deps, signedInStaff(res), req, { why: `409 ${outcome.problem}` });
    renderCase(req, res, 409, caseId, { problem: outcome.problem, ...form });
  }

  /** A form that does not parse: the case again with a message under each field (the field names carry `prefix`). */
  function invalid(req: Request, res: Response, caseId: number, prefix: string, form: { errors: Record<string, string>; values: Record<string, string> }) {
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(form.errors)) errors[`${prefix}${k}`] = v;
    for (const [k, v] of Object.entries(form.values)) values[`${prefix}${k}`] = v;
    recordRefusal(deps, signedInStaff(res), req, { why: `400 ${Object.values(form.errors).join('／')}` });
    renderCase(req, res, 400, caseId, { errors, values });
  }

  const actor = (req: Request, res: Response) => ({ staff: signedInStaff(res), clientIp: clientIp(req) });
  const caseOfDocument = (id: number) => cases.caseOfDocument(id);

  router.post('/documents/:id/accept', (req, res) => {
    const id = idParam(req.params.id);
    const outcome = actions.acceptDocument(actor(req, res), id);
    finish(req, res, caseOfDocument(id) ?? 0, outcome);
  });

  router.post('/documents/:id/reject', async (req, res) => {
    const id = idParam(req.params.id);
    const caseId = caseOfDocument(id);
    if (caseId === undefined) throw new HttpError(404, 'not_found');
    const form = parseForm(rejectSchema, req.body);
    if (!form.ok) return invalidIfVisible(req, res, caseId, `doc${id}-`, form);
    finish(req, res, caseId, await actions.rejectDocument(actor(req, res), id, form.data.reason));
  });

  /** Field errors are shown only on a case the staff member may see; another insurer's case stays a 404. */
  function invalidIfVisible(req: Request, res: Response, caseId: number, prefix: string, form: { errors: Record<string, string>; values: Record<string, string> }) {
    if (!cases.caseInScope(signedInStaff(res), caseId)) throw new HttpError(404, 'not_found');
    invalid(req, res, caseId, prefix, form);
  }

  /** A case's form: parsed, run, and answered as `finish` does. */
  function caseForm<S extends z.ZodType>(schema: S, prefix: (req: Request) => string, run: (req: Request, res: Response, caseId: number, data: z.output<S>) => ReviewOutcome): RequestHandler {
    return (req, res) => {
      const caseId = idParam(req.params.id);
      const form = parseForm(schema, req.body);
      if (!form.ok) return invalidIfVisible(req, res, caseId, prefix(req), form);
      finish(req, res, caseId, run(req, res, caseId, form.data));
    };
  }

  router.post('/cases/:id/dependents/:dep/decision', caseForm(decisionSchema, (req) => `dep${String(req.params.dep)}-`, (req, res, caseId, d) =>
    actions.decide(actor(req, res), caseId, idParam(req.params.dep), { decision: d.decision, removalDate: 'removalDate' in d ? d.removalDate : undefined, reason: d.reason, seen: d.seen })));
  router.post('/cases/:id/request-documents', caseForm(requestDocumentsSchema, () => 'request-', (req, res, caseId, d) => actions.requestDocuments(actor(req, res), caseId, d)));
  router.post('/cases/:id/return', caseForm(returnSchema, () => 'return-', (req, res, caseId, d) => actions.returnCase(actor(req, res), caseId, d)));
  router.post('/cases/:id/complete', (req, res) => {
    const caseId = idParam(req.params.id);
    finish(req, res, caseId, actions.complete(actor(req, res), caseId));
  });

  /** The exports: streamed as they are read, audited when they start. */
  for (const kind of ['export', 'nonresponders'] as const) {
    router.get(`/:survey/${kind}.csv`, async (req, res) => {
      const staff = signedInStaff(res);
      const survey = progress.visibleSurvey(staff, idParam(req.params.survey));
      if (!survey) throw new HttpError(404, 'not_found');
      const encoding = req.query.encoding === 'sjis' ? 'sjis' : 'utf8';
      recordAudit(deps.db, deps.clock, {
        staffId: staff.id, staffLogin: staff.loginId, clientIp: clientIp(req), action: 'export_survey',
        query: `${kind === 'export' ? '結果' : '未提出者'}・${encoding === 'sjis' ? 'Shift_JIS' : 'UTF-8'}`, detail: `調査 ${survey.id}（${survey.title}）`,
      });
      res.set({
        'Content-Type': `text/csv; charset=${encoding === 'sjis' ? 'Shift_JIS' : 'utf-8'}`,
        'Content-Disposition': `attachment; filename="survey-${survey.id}-${kind === 'export' ? 'results' : 'nonresponders'}.csv"`,
        'Cache-Control': 'no-store',
      });
      try {
        await (kind === 'export' ? surveyExport.results(survey, res, encoding) : surveyExport.nonresponders(survey, res, encoding));
        res.end();
      } catch (err) {
        // The client went away: nothing to answer.
        deps.logger.warn({ err }, 'survey export ended early');
        res.destroy();
      }
    });
  }

  return router;
}

import { Router, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { HttpError } from '../../http/errors.js';
import { requireCurrentTerms, requireMember } from '../../http/member-guard.js';
import { documentRoutes } from './documents/routes.js';
import { createSurveyMemberService } from './member-service.js';
import { idParam, surveyMemberOf } from './member-request.js';
import { CHOICES, LABELS } from './questionnaire.js';

/** Notices after a redirect (only these values show anything). */
const DONE: Record<string, string> = {
  saved: '回答を保存しました。',
  withdrawn: '提出を取り消しました。回答を修正して、もう一度提出してください。',
};

const LOCKED = '提出済みのため、回答は変更できません。修正が必要な場合は「提出を取り消す」から取り消してください（審査が始まった後は取り消せません）。';

/** `/portal/survey`: the member's side of the yearly dependents' survey. */
export function surveyRoutes(deps: Deps): Router {
  const members = createSurveyMemberService({ ...deps, baseUrl: deps.config.baseUrl });
  const router = Router();
  router.use(requireMember(deps.services.accounts), requireCurrentTerms(deps.services.terms));

  router.get('/', (req, res) => {
    const view = members.overview(surveyMemberOf(res));
    const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
    res.render('survey/overview.njk', { pageTitle: '被扶養者資格調査', view, pageNotice: done ? { kind: 'success', text: done } : undefined });
  });

  function renderDependent(res: Response, status: number, id: number, extra: { errors?: Record<string, string>; values?: Record<string, string>; problem?: string } = {}) {
    const form = members.dependentForm(surveyMemberOf(res), id);
    if (!form) throw new HttpError(404, 'not_found');
    res.status(status).render('survey/dependent.njk', {
      pageTitle: `${form.dependent.name}さんについての回答`,
      view: form.view,
      dependent: form.dependent,
      values: extra.values ?? form.values,
      errors: extra.errors ?? {},
      problem: extra.problem,
      choices: CHOICES,
      labels: LABELS,
    });
  }

  router.get('/dependents/:id', (req, res) => renderDependent(res, 200, idParam(req.params.id)));

  router.post('/dependents/:id', (req, res) => {
    const id = idParam(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = members.saveAnswers(surveyMemberOf(res), id, body);
    if (!result.ok && result.reason === 'not_found') throw new HttpError(404, 'not_found');
    if (!result.ok) return renderDependent(res, 409, id, { problem: LOCKED });
    if (result.complete) return res.redirect(303, '/portal/survey?done=saved');
    // Saved what was valid; the page comes back with a message under each field still to answer.
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') values[k] = v.slice(0, 100);
    renderDependent(res, 400, id, { errors: result.errors, values });
  });

  router.get('/confirm', (_req, res) => {
    const view = members.overview(surveyMemberOf(res));
    if (!view) throw new HttpError(404, 'not_found');
    res.render('survey/confirm.njk', { pageTitle: '提出内容の確認', view, errors: {} });
  });

  router.post('/submit', (req, res) => {
    const m = surveyMemberOf(res);
    const attest = typeof req.body?.attest === 'string' && req.body.attest !== '';
    const result = members.submit(m, attest);
    if (result.ok) return res.redirect(303, '/portal/survey/submitted');
    if (result.reason === 'not_found') throw new HttpError(404, 'not_found');
    const view = members.overview(m);
    if (result.reason === 'locked') return res.status(409).render('survey/confirm.njk', { pageTitle: '提出内容の確認', view, errors: {}, problem: 'この調査はすでに提出済みです。' });
    const errors = result.reason === 'attest' ? { attest: '内容を確認し、「記載内容に相違ありません」にチェックを入れてください' } : {};
    const problem = result.reason === 'incomplete' ? 'まだ回答や書類がそろっていないため、提出できません。下の「不足しているもの」をご確認ください。' : undefined;
    res.status(400).render('survey/confirm.njk', { pageTitle: '提出内容の確認', view, errors, problem });
  });

  router.get('/submitted', (_req, res) => {
    const view = members.overview(surveyMemberOf(res));
    if (!view || !view.receiptNumber) throw new HttpError(404, 'not_found');
    res.render('survey/submitted.njk', { pageTitle: '提出を受け付けました', view });
  });

  router.post('/withdraw', (_req, res) => {
    const m = surveyMemberOf(res);
    if (members.withdraw(m)) return res.redirect(303, '/portal/survey?done=withdrawn');
    const view = members.overview(m);
    if (!view) throw new HttpError(404, 'not_found');
    res.status(409).render('survey/overview.njk', {
      pageTitle: '被扶養者資格調査', view,
      pageNotice: { kind: 'error', text: '審査が始まっているため、提出は取り消せません。修正が必要な場合はコールセンターへお問い合わせください。' },
    });
  });

  router.use('/documents', documentRoutes(deps, members));
  return router;
}

import { Router, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { parseForm } from '../../http/forms.js';
import { requireCurrentTerms, requireMember, signedInMember } from '../../http/member-guard.js';
import { PASSWORD_RULES_TEXT } from '../../lib/password-rules.js';
import { formatTime } from '../../lib/time.js';
import { clientIp } from '../../http/client-ip.js';
import { LOGIN_FAILURE_LIMIT } from '../accounts/service.js';
import { createSurveyMemberService } from '../survey/member-service.js';
import { emailChangeRoutes } from './email-routes.js';
import { CHANGE_PASSWORD_LABELS, changePasswordSchema, currentPasswordProblem } from './schemas.js';

/** What a finished change says on my page (only these values show anything). */
const DONE: Record<string, string> = {
  password: 'パスワードを変更しました。ほかの端末でのログインは終了しました。',
  email: 'メールアドレスを変更しました。変更前のメールアドレスにもお知らせを送りました。',
};

/** `/portal/mypage` and its sub-pages: signed in, current terms accepted. */
export function mypageRoutes(deps: Deps): Router {
  const { mypage: service, mypageOverview: overview } = deps.services;
  const survey = createSurveyMemberService({ ...deps, baseUrl: deps.config.baseUrl });
  const router = Router();
  router.use(requireMember(deps.services.accounts), requireCurrentTerms(deps.services.terms));

  router.get('/', (req, res) => {
    const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
    res.render('mypage/index.njk', {
      pageTitle: 'マイページ',
      me: overview(signedInMember(res)),
      surveyCard: survey.card(signedInMember(res)),
      pageNotice: done ? { kind: 'success', text: done } : undefined,
    });
  });

  function renderPassword(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('mypage/password.njk', {
      pageTitle: 'パスワードの変更',
      passwordRules: PASSWORD_RULES_TEXT,
      labels: CHANGE_PASSWORD_LABELS,
      errors: {},
      ...locals,
    });
  }

  router.get('/password', (_req, res) => renderPassword(res, 200));

  router.post('/password', async (req, res) => {
    const member = signedInMember(res);
    const form = parseForm(changePasswordSchema, req.body);
    if (!form.ok) return renderPassword(res, 400, { errors: form.errors });
    const result = await service.changePassword({ member, ...form.data, clientIp: clientIp(req), keepSessionId: req.sessionID });
    if (result.ok) {
      // This session stays signed in under the new password; every other one has ended.
      req.session.passwordChangedAt = result.passwordChangedAt;
      return res.redirect(303, '/portal/mypage?done=password');
    }
    if (result.reason === 'rules') return renderPassword(res, 400, { errors: result.errors });
    if (result.reason === 'gone') return res.redirect(303, '/portal/');
    const problem = currentPasswordProblem(result);
    if (problem.locked) return renderPassword(res, 429, { locked: formatTime(problem.locked), limit: LOGIN_FAILURE_LIMIT });
    return renderPassword(res, problem.status, problem.status === 429 ? { pageNotice: { kind: 'error', text: problem.message } } : { errors: { currentPassword: problem.message } });
  });

  router.use('/email', emailChangeRoutes(deps));
  return router;
}

import { Router, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { echoValues, formBody, parseForm } from '../../http/forms.js';
import { signedInMember } from '../../http/member-guard.js';
import { formatTime } from '../../lib/time.js';
import { RESENDS_PER_HOUR } from '../email-codes/service.js';
import { clientIp } from '../../http/client-ip.js';
import { emailCodeSchema } from '../email-codes/schema.js';
import { LOGIN_FAILURE_LIMIT } from '../accounts/service.js';
import { CHANGE_EMAIL_LABELS, changeEmailSchema, currentPasswordProblem } from './schemas.js';

const FORM = '/portal/mypage/email';
const VERIFY = '/portal/mypage/email/verify';

const CODE_ERRORS: Record<string, string> = {
  voided: '認証コードを5回間違えたため、このコードは使えなくなりました。「新しい認証コードを送る」から新しいコードを受け取ってください',
  expired: '認証コードの有効期限が切れました。「新しい認証コードを送る」から新しいコードを受け取ってください',
  too_many: '認証コードの誤りが続いたため、しばらく入力を受け付けられません。1時間ほどたってから、もう一度お試しください',
};

/**
 * `/portal/mypage/email` (new address + confirmation) → a code to the new address →
 * `/portal/mypage/email/verify`. Mounted inside my page's router, behind its guards.
 */
export function emailChangeRoutes(deps: Deps): Router {
  const service = deps.services.emailChange;
  const router = Router();

  function renderForm(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('mypage/email.njk', {
      pageTitle: 'メールアドレスの変更',
      currentEmail: signedInMember(res).email,
      mailFrom: deps.config.mailFrom,
      labels: CHANGE_EMAIL_LABELS,
      values: {},
      errors: {},
      ...locals,
    });
  }

  function renderVerify(res: Response, status: number, locals: Record<string, unknown> = {}) {
    const pending = service.pending(signedInMember(res));
    if (!pending) return res.redirect(303, FORM);
    res.status(status).render('mypage/email-verify.njk', {
      pageTitle: 'メールアドレスの変更：認証コード入力',
      email: pending.email,
      expiresAt: pending.expires_at,
      expired: pending.expires_at <= deps.clock.now(),
      resendsPerHour: RESENDS_PER_HOUR,
      labels: { code: '認証コード' },
      errors: {},
      ...locals,
    });
  }

  router.get('/', (_req, res) => renderForm(res, 200));

  router.post('/', async (req, res) => {
    const form = parseForm(changeEmailSchema, req.body);
    if (!form.ok) return renderForm(res, 400, { errors: form.errors, values: form.values });
    const values = echoValues(formBody(req));
    const result = await service.request(signedInMember(res), form.data.currentPassword, form.data.email, clientIp(req));
    if (result.ok) return res.redirect(303, VERIFY);
    switch (result.reason) {
      case 'wrong':
      case 'locked':
      case 'address_throttled': {
        const problem = currentPasswordProblem(result);
        if (problem.locked) return renderForm(res, 429, { values, locked: formatTime(problem.locked), limit: LOGIN_FAILURE_LIMIT });
        return renderForm(res, problem.status, problem.status === 429
          ? { values, pageNotice: { kind: 'error', text: problem.message } }
          : { values, errors: { currentPassword: problem.message } });
      }
      case 'same':
        return renderForm(res, 400, { errors: { email: '現在ご登録のメールアドレスと同じです。新しいメールアドレスを入力してください' }, values });
      case 'hourly_limit':
        return renderForm(res, 429, {
          values,
          pageNotice: { kind: 'error', text: `認証コードの送信回数が上限に達しました。${formatTime(result.retryAt)}以降に、もう一度お試しください。` },
        });
      case 'gone':
        return res.redirect(303, '/portal/');
    }
  });

  router.get('/verify', (req, res) => {
    const resent = req.query.resent === '1';
    renderVerify(res, 200, resent ? { pageNotice: { kind: 'success', text: '新しい認証コードを送信しました。以前のコードは使えません。' } } : {});
  });

  router.post('/verify', (req, res) => {
    const form = parseForm(emailCodeSchema, req.body);
    if (!form.ok) return renderVerify(res, 400, { errors: form.errors });
    const result = service.confirm(signedInMember(res), form.data.code, clientIp(req));
    if (result.ok) return res.redirect(303, '/portal/mypage?done=email');
    switch (result.reason) {
      case 'none':
        return res.redirect(303, FORM);
      case 'gone':
        return res.redirect(303, '/portal/');
      case 'wrong':
        return renderVerify(res, 400, {
          errors: { code: `認証コードが正しくありません。あと${result.remainingTries ?? 0}回間違えると、このコードは使えなくなります` },
        });
      default:
        return renderVerify(res, result.reason === 'too_many' ? 429 : 400, { errors: { code: CODE_ERRORS[result.reason] } });
    }
  });

  router.post('/verify/resend', (_req, res) => {
    const now = deps.clock.now();
    const result = service.resend(signedInMember(res));
    if (result.ok) return res.redirect(303, `${VERIFY}?resent=1`);
    if (result.reason === 'none') return res.redirect(303, FORM);
    if (result.reason === 'gone') return res.redirect(303, '/portal/');
    const text =
      result.reason === 'too_soon'
        ? `認証コードの再送は1分に1回までです。あと${Math.max(1, Math.ceil((result.retryAt - now) / 1000))}秒たってから、もう一度お試しください。`
        : `認証コードの再送は1時間に${RESENDS_PER_HOUR}回までです。${formatTime(result.retryAt)}以降に、もう一度お試しください。`;
    renderVerify(res, 429, { pageNotice: { kind: 'error', text } });
  });

  return router;
}

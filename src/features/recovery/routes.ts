import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { echoValues, formBody, parseForm } from '../../http/forms.js';
import { noReferrer } from '../../http/security.js';
import { regenerateSession } from '../../http/session.js';
import { PASSWORD_RULES_TEXT } from '../../lib/password-rules.js';
import { IDENTITY_LABELS, identityFormOptions, identitySchema } from '../identity/schema.js';
import { clientIp } from '../../http/client-ip.js';
import { forgotPasswordSchema, NEW_PASSWORD_LABELS, newPasswordSchema, RESET_TOKEN } from './schemas.js';
import { RESET_LINK_MS } from './service.js';

const USERID_THROTTLED =
  'このネットワークからの入力の誤りが多いため、一時的に受付を停止しています。1時間ほどたってから、もう一度お試しください。';

/**
 * Forgotten password (`/portal/password/forgot`, `/portal/password/reset/<token>`) and
 * forgotten ID (`/portal/userid/forgot`). Both answer the same whether or not an
 * account exists; only the registered address learns anything.
 */
export function recoveryRoutes(deps: Deps): Router {
  const { passwordRecovery: passwords, useridRecovery: userids } = deps.services;
  const router = Router();

  // ---- Forgotten password ----------------------------------------------------------
  function renderForgot(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('recovery/password-forgot.njk', {
      pageTitle: 'パスワードの再設定',
      labels: { loginId: 'ユーザーID' },
      values: {},
      errors: {},
      ...locals,
    });
  }

  router.get('/password/forgot', (_req, res) => renderForgot(res, 200));

  router.post('/password/forgot', (req, res) => {
    const form = parseForm(forgotPasswordSchema, req.body);
    if (!form.ok) return renderForgot(res, 400, { errors: form.errors, values: form.values });
    passwords.requestReset({ loginId: form.data.loginId, clientIp: clientIp(req) });
    res.render('recovery/password-forgot-sent.njk', { pageTitle: 'パスワード再設定のご案内', validMinutes: RESET_LINK_MS / 60_000 });
  });

  // ---- Reset link ------------------------------------------------------------------
  // The token is in the URL: no page of it may leak it to another site in a Referer.
  router.use('/password/reset', noReferrer);

  function renderInvalidLink(res: Response) {
    res.status(410).render('recovery/password-reset-invalid.njk', { pageTitle: 'リンクが無効です' });
  }

  function renderReset(req: Request, res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('recovery/password-reset.njk', {
      pageTitle: '新しいパスワードの設定',
      action: `/portal/password/reset/${req.params.token as string}`,
      passwordRules: PASSWORD_RULES_TEXT,
      labels: NEW_PASSWORD_LABELS,
      errors: {},
      ...locals,
    });
  }

  router.get('/password/reset/:token', (req, res) => {
    const token = req.params.token;
    if (!RESET_TOKEN.test(token) || !passwords.checkLink(token).ok) return renderInvalidLink(res);
    renderReset(req, res, 200);
  });

  router.post('/password/reset/:token', async (req, res) => {
    const token = req.params.token;
    if (!RESET_TOKEN.test(token) || !passwords.checkLink(token).ok) return renderInvalidLink(res);
    const form = parseForm(newPasswordSchema, req.body);
    if (!form.ok) return renderReset(req, res, 400, { errors: form.errors });
    const result = await passwords.resetPassword({ token, ...form.data });
    if (!result.ok) {
      if (result.reason === 'invalid_link') return renderInvalidLink(res);
      return renderReset(req, res, 400, { errors: result.errors });
    }
    // Every session of the account has ended; this browser starts afresh too.
    await regenerateSession(req, res, deps.clock.now(), { insurerId: req.session.insurerId });
    res.render('recovery/password-reset-done.njk', { pageTitle: 'パスワードを再設定しました' });
  });

  // ---- Forgotten ID ----------------------------------------------------------------
  function renderUserid(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('recovery/userid-forgot.njk', {
      pageTitle: 'ユーザーIDの確認',
      labels: IDENTITY_LABELS,
      identityOptions: identityFormOptions(deps.clock.now()),
      values: {},
      errors: {},
      ...locals,
    });
  }

  router.get('/userid/forgot', (_req, res) => renderUserid(res, 200));

  router.post('/userid/forgot', (req, res) => {
    const form = parseForm(identitySchema, req.body);
    if (!form.ok) return renderUserid(res, 400, { errors: form.errors, values: form.values });
    const result = userids.remindUserId(form.data, clientIp(req));
    if (result === 'address_throttled') {
      return renderUserid(res, 429, { pageNotice: { kind: 'error', text: USERID_THROTTLED }, values: echoValues(formBody(req)) });
    }
    res.render('recovery/userid-forgot-sent.njk', { pageTitle: 'ユーザーIDのご案内' });
  });

  return router;
}

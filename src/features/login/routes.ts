import { Router, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { echoValues, formBody, parseForm } from '../../http/forms.js';
import { safeNextPath } from '../../http/member-guard.js';
import { sendCachedPage } from '../../http/page-cache.js';
import { destroySession, memberSessionPolicy, regenerateSession } from '../../http/session.js';
import { clientIp } from '../../http/client-ip.js';
import { LOGIN_FAILURE_LIMIT, LOGIN_LOCK_MS } from '../accounts/service.js';
import { LOGIN_LABELS, loginSchema } from './schemas.js';

// One answer for an unknown ID, a wrong password, a locked and a closed account: it states the
// lock rule and the way out, and the page adds the yearly-reset notice with the signup link.
const INVALID =
  'ユーザーIDまたはパスワードが正しくありません。入力内容をお確かめのうえ、もう一度お試しください。' +
  `パスワードを${LOGIN_FAILURE_LIMIT}回続けて間違えると、${LOGIN_LOCK_MS / 60_000}分間ログインできなくなります。` +
  'パスワードをお忘れの場合は「パスワードをお忘れの方」から再設定すると、すぐにログインできるようになります。';
const THROTTLED =
  'このネットワークからのログインの失敗が続いたため、一時的にログインを受け付けていません。15分ほどたってから、もう一度お試しください。';
const SESSION_ENDED =
  '一定時間操作がなかったか、ログインから長時間が経過したため、安全のためログアウトしました。もう一度ログインしてください。';
const LOGGED_OUT = 'ログアウトしました。';
const SIGNED_UP = '初回登録が完了しました。設定したパスワードを入力して、ログインしてください。';

/** `/portal/` (login form), `POST /portal/login`, `POST /portal/logout`. */
export function loginRoutes(deps: Deps): Router {
  const { accounts } = deps.services;
  const router = Router();
  const cookie = memberSessionPolicy(deps.config);

  const loginPage = (locals: Record<string, unknown>) => ({ pageTitle: 'ログイン', labels: LOGIN_LABELS, values: {}, errors: {}, ...locals });
  function renderLogin(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('login/index.njk', loginPage(locals));
  }

  router.get('/', async (req, res) => {
    const next = safeNextPath(req.query.next);
    if (req.session.accountId !== undefined) {
      // requireMember on my page checks the account is still active.
      res.redirect(303, next ?? '/portal/mypage');
      return;
    }
    let pageNotice: { kind: string; text: string } | undefined;
    if (req.session.expired) {
      pageNotice = { kind: 'warning', text: SESSION_ENDED };
      delete req.session.expired; // say it once
    } else if (req.query.loggedOut === '1') {
      pageNotice = { kind: 'success', text: LOGGED_OUT };
    }
    // Straight from signup's completion page: the ID the member just chose is filled in.
    const justRegistered = req.session.signupDone?.loginId;
    if (justRegistered && !pageNotice) pageNotice = { kind: 'success', text: SIGNED_UP };
    // The page as everyone first sees it is the busiest of all: kept rendered (page-cache.ts).
    if (!next && !pageNotice) {
      const insurer = res.locals.insurer;
      return sendCachedPage(res, { key: 'login', view: 'login/index.njk', locals: loginPage({ insurer, currentPath: '/portal/' }), inputs: [insurer] });
    }
    renderLogin(res, 200, { next, pageNotice, values: justRegistered ? { loginId: justRegistered } : {} });
  });

  router.post('/login', async (req, res) => {
    const body = formBody(req);
    const next = safeNextPath(body.next);
    const form = parseForm(loginSchema, body);
    if (!form.ok) return renderLogin(res, 400, { errors: form.errors, values: form.values, next });
    const values = echoValues(body);
    const result = await accounts.login({ loginId: form.data.loginId, password: form.data.password, clientIp: clientIp(req) });
    switch (result.outcome) {
      case 'ok':
        // A new session id at login: nothing of the anonymous session survives. The session
        // carries the password's time from now on: a reset that lands later ends it.
        await regenerateSession(req, res, deps.clock.now(), {
          accountId: result.accountId,
          insurerId: result.insurerId,
          passwordChangedAt: result.passwordChangedAt,
        });
        return res.redirect(303, next ?? '/portal/mypage');
      case 'invalid':
        return renderLogin(res, 401, { errors: { _form: INVALID }, failed: true, values, next });
      case 'address_throttled':
        return renderLogin(res, 429, { pageNotice: { kind: 'error', text: THROTTLED }, values, next });
    }
  });

  router.post('/logout', async (req, res) => {
    await destroySession(req);
    res.clearCookie(cookie.cookieName, { path: cookie.cookiePath, httpOnly: true, sameSite: 'lax', secure: deps.config.isProduction });
    res.redirect(303, '/portal/?loggedOut=1');
  });

  return router;
}

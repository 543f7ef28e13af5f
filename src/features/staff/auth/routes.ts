import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.js';
import { parseForm } from '../../../http/forms.js';
import { destroySession, regenerateSession } from '../../../http/session.js';
import { MINUTE } from '../../../lib/clock.js';
import { STAFF_PASSWORD_RULES_TEXT } from '../../../lib/staff-password-rules.js';
import type { SignInStage } from './service.js';
import { clientIp } from '../guard.js';
import { findStaffById } from '../queries.js';
import { codeSchema, newPasswordSchema, signInSchema } from '../schemas.js';

/** A sign-in must go from the password to its last step within this time. */
const PENDING_MS = 10 * MINUTE;

const STAGE_PATHS: Record<SignInStage, string> = {
  password: '/staff/login/password',
  enrol: '/staff/login/enrol',
  totp: '/staff/login/code',
};

const REFUSALS = {
  // The one answer for an unknown login, a wrong password, a locked and a disabled account.
  invalid:
    'ログインIDまたはパスワードが正しくありません。5回続けて失敗するとアカウントがロックされます。' +
    'ロックされた場合や利用停止中の場合は、スーパーバイザーに解除を依頼してください。',
  locked: 'ログインに続けて失敗したため、このアカウントはロックされています。スーパーバイザーに解除を依頼してください。',
  disabled: 'このアカウントは利用停止されています。管理者にお問い合わせください。',
  code: '認証コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。',
  replayed: 'この認証コードは使用済みです。認証アプリに次のコードが表示されてから入力してください。',
  throttled: 'このネットワークからのログインの失敗が続いたため、一時的にログインを受け付けていません。15分ほどたってから、もう一度お試しください。',
} as const;

const REFUSAL_STATUS = { invalid: 401, throttled: 429 } as const;

/** Sign-in (password → first-time password change → authenticator enrolment, or → TOTP) and sign-out. */
export function staffAuthRoutes(deps: Deps): Router {
  const auth = deps.services.staffAuth;
  const router = Router();

  function pendingStaffId(req: Request, stage: SignInStage): number | undefined {
    const p = req.session.staffPending;
    if (!p || p.stage !== stage || deps.clock.now() - p.since > PENDING_MS) return undefined;
    return p.staffId;
  }

  const loginPage = (extra: Record<string, unknown> = {}) => ({ pageTitle: 'ログイン', values: {}, ...extra });

  router.get('/login', (req, res) => {
    if (req.session.staffId !== undefined) return res.redirect(303, '/staff/');
    const expired = req.session.expired === true;
    delete req.session.expired;
    res.render('staff/login.njk', loginPage({ expired, signedOut: req.query.out === '1' }));
  });

  router.post('/login', async (req, res) => {
    const form = parseForm(signInSchema, req.body);
    if (!form.ok) return res.status(400).render('staff/login.njk', loginPage({ errors: form.errors, values: form.values }));
    const outcome = await auth.checkPassword(form.data.loginId, form.data.password, clientIp(req));
    if (!outcome.ok) {
      return res.status(REFUSAL_STATUS[outcome.reason]).render(
        'staff/login.njk',
        loginPage({ refusal: REFUSALS[outcome.reason], values: { loginId: form.data.loginId } }),
      );
    }
    const now = deps.clock.now();
    await regenerateSession(req, res, now, { staffPending: { staffId: outcome.staffId, stage: outcome.stage, since: now } });
    res.redirect(303, STAGE_PATHS[outcome.stage]);
  });

  /** Ends a sign-in that cannot go on, back to the first step with the reason. */
  function refuse(req: Request, res: Response, reason: 'locked' | 'disabled') {
    delete req.session.staffPending;
    res.status(403).render('staff/login.njk', loginPage({ refusal: REFUSALS[reason] }));
  }

  async function signIn(req: Request, res: Response, staffId: number) {
    await regenerateSession(req, res, deps.clock.now(), { staffId });
    res.redirect(303, '/staff/');
  }

  router.get('/login/code', (req, res) => {
    if (pendingStaffId(req, 'totp') === undefined) return res.redirect(303, '/staff/login');
    res.render('staff/login-code.njk', { pageTitle: '認証コードの入力' });
  });

  router.post('/login/code', async (req, res) => {
    const staffId = pendingStaffId(req, 'totp');
    if (staffId === undefined) return res.redirect(303, '/staff/login');
    const form = parseForm(codeSchema, req.body);
    if (!form.ok) return res.status(400).render('staff/login-code.njk', { pageTitle: '認証コードの入力', errors: form.errors });
    const outcome = auth.checkCode(staffId, form.data.code, clientIp(req), { enrolling: false });
    if (outcome.ok) return signIn(req, res, staffId);
    if (outcome.reason === 'locked' || outcome.reason === 'disabled') return refuse(req, res, outcome.reason);
    res.status(401).render('staff/login-code.njk', {
      pageTitle: '認証コードの入力',
      errors: { code: outcome.reason === 'replayed' ? REFUSALS.replayed : REFUSALS.code },
    });
  });

  const passwordPage = (extra: Record<string, unknown> = {}) => ({
    pageTitle: '新しいパスワードの設定',
    rules: STAFF_PASSWORD_RULES_TEXT,
    ...extra,
  });

  router.get('/login/password', (req, res) => {
    if (pendingStaffId(req, 'password') === undefined) return res.redirect(303, '/staff/login');
    res.render('staff/change-password.njk', passwordPage());
  });

  router.post('/login/password', async (req, res) => {
    const staffId = pendingStaffId(req, 'password');
    if (staffId === undefined) return res.redirect(303, '/staff/login');
    const form = parseForm(newPasswordSchema, req.body);
    if (!form.ok) return res.status(400).render('staff/change-password.njk', passwordPage({ errors: form.errors }));
    const outcome = await auth.setNewPassword(staffId, form.data.newPassword, clientIp(req));
    if (!outcome.ok && 'problems' in outcome) {
      return res.status(400).render('staff/change-password.njk', passwordPage({ errors: { newPassword: outcome.problems.join('。') } }));
    }
    if (!outcome.ok) return refuse(req, res, outcome.refused === 'locked' ? 'locked' : 'disabled');
    req.session.staffPending = { staffId, stage: outcome.stage, since: deps.clock.now() };
    res.redirect(303, STAGE_PATHS[outcome.stage]);
  });

  async function enrolPage(req: Request, res: Response, staffId: number, status: number, errors?: Record<string, string>) {
    const picture = await auth.enrolment(staffId);
    if (!picture) return res.redirect(303, '/staff/login');
    res.status(status).render('staff/enrol.njk', { pageTitle: '認証アプリの登録', ...picture, errors });
  }

  router.get('/login/enrol', async (req, res) => {
    const staffId = pendingStaffId(req, 'enrol');
    if (staffId === undefined) return res.redirect(303, '/staff/login');
    await enrolPage(req, res, staffId, 200);
  });

  router.post('/login/enrol', async (req, res) => {
    const staffId = pendingStaffId(req, 'enrol');
    if (staffId === undefined) return res.redirect(303, '/staff/login');
    const form = parseForm(codeSchema, req.body);
    if (!form.ok) return enrolPage(req, res, staffId, 400, form.errors);
    const outcome = auth.checkCode(staffId, form.data.code, clientIp(req), { enrolling: true });
    if (outcome.ok) return signIn(req, res, staffId);
    if (outcome.reason === 'locked' || outcome.reason === 'disabled') return refuse(req, res, outcome.reason);
    await enrolPage(req, res, staffId, 401, { code: outcome.reason === 'replayed' ? REFUSALS.replayed : REFUSALS.code });
  });

  router.post('/logout', async (req, res) => {
    const id = req.session.staffId;
    const staff = id === undefined ? undefined : findStaffById(deps.db, id);
    if (staff) auth.recordSignOut({ id: staff.id, loginId: staff.login_id }, clientIp(req));
    await destroySession(req);
    res.redirect(303, '/staff/login?out=1');
  });

  return router;
}

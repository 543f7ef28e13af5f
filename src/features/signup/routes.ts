import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { emailCodeSchema } from '../email-codes/schema.js';
import { echoValues, formBody, parseForm } from '../../http/forms.js';
import { sendCachedPage } from '../../http/page-cache.js';
import { clientIp } from '../../http/client-ip.js';
import { regenerateSession } from '../../http/session.js';
import { PASSWORD_RULES_TEXT } from '../../lib/password-rules.js';
import { formatTime } from '../../lib/time.js';
import { identityFormOptions, IDENTITY_LABELS } from '../identity/schema.js';
import { RESENDS_PER_HOUR } from '../email-codes/service.js';
import { qrCodeSvg } from './qr.js';
import {
  ACCOUNT_LABELS,
  accountSchema,
  identitySchema,
  LOGIN_ID_RULES_TEXT,
  parseAllProblems,
  type ProblemLists,
} from './schemas.js';
import type { VerifiedMember } from './service.js';
import { signupStateStatus, VERIFIED_FOR_MS } from './session.js';

const STEP1 = '/portal/signup';
const STEP2 = '/portal/signup/account';
const STEP3 = '/portal/signup/verify';
const STEP4 = '/portal/signup/done';

/** Why a later step sent the member back to step 1 (only these values show a message). */
const BACK_TO_START: Record<string, string> = {
  expired: '本人確認から30分以上たったため、手続きの有効期限が切れました。お手数ですが、もう一度本人確認からお手続きください。',
  start: 'はじめに本人確認を行ってください。',
};
const ACCOUNT_NOTICES: Record<string, string> = {
  taken: '設定したユーザーIDは、お手続きの間にほかの方が登録しました。別のユーザーIDで設定し直してください。',
  nocode: '有効な認証コードがありません。お手数ですが、もう一度ユーザーID・パスワードを設定してください。',
};
// A record locked after repeated errors answers with exactly this too (same status, same
// words), so nothing tells a real 記号・番号 from a made-up one; the page adds the call center.
const NO_MATCH =
  '入力内容に誤りがあります。保険者指定コード・記号・番号・生年月日・氏名（カナ）をお手元の保険証等でお確かめのうえ、もう一度入力してください。' +
  '誤りが続くと、安全のため本人確認を30分間停止します。解決しない場合はコールセンターへお問い合わせください。';
const LOGIN_ID_PROBES =
  'ユーザーIDの確認が短い時間に続いたため、一時的に受け付けていません。1時間ほどたってから、もう一度お試しください。';
const THROTTLED =
  'このネットワークからの本人確認の誤りが多いため、一時的に受付を停止しています。1時間ほどたってから、もう一度お試しください。';

/** Signup (first login) (docs/signup.md): 本人確認 → ID・パスワード設定 → 認証コード入力 → 完了. */
export function signupRoutes(deps: Deps): Router {
  const service = deps.services.signup;
  const router = Router();
  const now = () => deps.clock.now();
  const pageUrl = `${deps.config.baseUrl}${STEP1}`;

  /**
   * The society the page is for (layout.ts: `?insurer=CODE`, the session's, or the only one) fills
   * the 保険者指定コード in (identity/_fields.njk), and the QR code carries its code too, so a phone
   * opens the same form.
   */
  async function identityPage(res: Response, locals: Record<string, unknown>) {
    const insurer = res.locals.insurer;
    const url = insurer ? `${pageUrl}?insurer=${encodeURIComponent(insurer.code)}` : pageUrl;
    return {
      pageTitle: '本人確認（初回登録）',
      values: {},
      errors: {},
      labels: IDENTITY_LABELS,
      identityOptions: identityFormOptions(now()),
      qrSvg: await qrCodeSvg(url, 'このページのURLを表すQRコード'),
      pageUrl: url,
      ...locals,
    };
  }

  async function renderIdentity(res: Response, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('signup/identity.njk', await identityPage(res, locals));
  }

  /** The verified member of steps 2–3, or a redirect to step 1 (and undefined). */
  function verifiedOrRestart(req: Request, res: Response): VerifiedMember | undefined {
    const state = req.session.signup;
    const status = signupStateStatus(state, now());
    const verified = state && status === 'ok' ? service.verifiedMember(state.memberId, state.insurerId) : undefined;
    if (verified) return verified;
    delete req.session.signup;
    // A second tab of a signup that just completed lands on the completion page.
    if (!state && req.session.signupDone) res.redirect(303, STEP4);
    else res.redirect(303, `${STEP1}?reason=${status === 'expired' ? 'expired' : 'start'}`);
    return undefined;
  }

  /** Until when the identity check lets the member finish (shown on steps 2 and 3). */
  function signupDeadline(res: Response): number | undefined {
    const state = res.req.session.signup;
    return state ? state.verifiedAt + VERIFIED_FOR_MS : undefined;
  }

  function renderRegistered(req: Request, res: Response, v: Pick<VerifiedMember, 'insurer'>) {
    delete req.session.signup;
    res.render('signup/registered.njk', { pageTitle: '登録済みです', insurer: v.insurer });
  }

  // ---- Step 1: identity check ------------------------------------------------------
  router.get('/', async (req, res) => {
    const reason = typeof req.query.reason === 'string' ? BACK_TO_START[req.query.reason] : undefined;
    if (reason) return renderIdentity(res, 200, { pageNotice: { kind: 'warning', text: reason } });
    // The empty form (kept rendered, see page-cache.ts) changes with the year's pulldown options.
    const insurer = res.locals.insurer;
    const page = await identityPage(res, { insurer, currentPath: STEP1 });
    return sendCachedPage(res, {
      key: `signup/identity:${insurer?.code ?? ''}`,
      view: 'signup/identity.njk',
      locals: page,
      inputs: [insurer, page.identityOptions.years, page.qrSvg],
    });
  });

  router.post('/', async (req, res) => {
    const form = parseForm(identitySchema, req.body);
    if (!form.ok) return renderIdentity(res, 400, { errors: form.errors, values: form.values });
    const values = echoValues(formBody(req));
    const result = service.checkIdentity(form.data, clientIp(req));
    switch (result.outcome) {
      case 'no_match':
        return renderIdentity(res, 400, { errors: { _form: NO_MATCH }, noMatch: true, values });
      case 'address_throttled':
        return renderIdentity(res, 429, { pageNotice: { kind: 'error', text: THROTTLED }, values });
      case 'lost':
        return res.render('signup/lost.njk', { pageTitle: 'ご登録いただけません', insurer: result.insurer });
      case 'matched': {
        if (result.activeAccount) {
          req.session.insurerId = result.insurer.id;
          return renderRegistered(req, res, result);
        }
        const at = now();
        // A new session id once the identity is known (no fixation of a verified session).
        await regenerateSession(req, res, at, {
          insurerId: result.insurer.id,
          signup: { memberId: result.member.id, insurerId: result.insurer.id, verifiedAt: at },
        });
        return res.redirect(303, STEP2);
      }
    }
  });

  // ---- Step 2: login ID, password, e-mail -----------------------------------------
  function renderAccount(res: Response, v: VerifiedMember, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('signup/account.njk', {
      pageTitle: 'ID・パスワード設定',
      member: { name: v.member.name },
      signupDeadline: signupDeadline(res),
      presetEmail: v.member.email,
      loginIdRules: LOGIN_ID_RULES_TEXT,
      passwordRules: PASSWORD_RULES_TEXT,
      mailFrom: deps.config.mailFrom,
      labels: ACCOUNT_LABELS,
      values: {},
      errors: {},
      problems: {},
      ...locals,
    });
  }

  router.get('/account', (req, res) => {
    const v = verifiedOrRestart(req, res);
    if (!v) return;
    if (service.hasActiveAccount(v.member.id)) return renderRegistered(req, res, v);
    const reason = typeof req.query.reason === 'string' ? ACCOUNT_NOTICES[req.query.reason] : undefined;
    renderAccount(res, v, 200, {
      values: { loginId: service.pendingLoginId(v.member.id) ?? '' },
      pageNotice: reason ? { kind: 'warning', text: reason } : undefined,
    });
  });

  router.post('/account', async (req, res) => {
    const v = verifiedOrRestart(req, res);
    if (!v) return;
    const form = parseAllProblems(accountSchema({ emailPreset: Boolean(v.member.email) }), req.body);
    if (!form.ok) return renderAccount(res, v, 400, { errors: form.errors, problems: form.problems, values: form.values });
    const result = await service.register(v, form.data, clientIp(req));
    const values = echoValues(formBody(req));
    if (result.ok) return res.redirect(303, STEP3);
    switch (result.reason) {
      case 'already_registered':
        return renderRegistered(req, res, v);
      case 'login_id_taken': {
        const message = 'このユーザーIDはすでに使われています。別のユーザーIDを入力してください';
        const problems: ProblemLists = { loginId: [message] };
        return renderAccount(res, v, 400, { errors: { loginId: message }, problems, values });
      }
      case 'login_id_probes':
        return renderAccount(res, v, 429, { values, pageNotice: { kind: 'error', text: LOGIN_ID_PROBES } });
      case 'hourly_limit':
        return renderAccount(res, v, 429, {
          values,
          pageNotice: { kind: 'error', text: `認証コードの送信回数が上限に達しました。${formatTime(result.retryAt)}以降に、もう一度お試しください。` },
        });
    }
  });

  // ---- Step 3: e-mail code ----------------------------------------------------------
  function renderVerify(req: Request, res: Response, v: VerifiedMember, status: number, locals: Record<string, unknown> = {}) {
    const current = service.currentCode(v.member.id);
    if (!current) return res.redirect(303, `${STEP2}?reason=nocode`);
    res.status(status).render('signup/verify.njk', {
      pageTitle: '認証コード入力',
      signupDeadline: signupDeadline(res),
      // Shown whole: the member typed it on the previous page. A pre-registered one stays masked.
      email: current.email,
      addressPreset: Boolean(v.member.email),
      expiresAt: current.expires_at,
      expired: current.expires_at <= now(),
      voided: current.voided,
      resendsPerHour: RESENDS_PER_HOUR,
      labels: { code: '認証コード' },
      errors: {},
      ...locals,
    });
  }

  router.get('/verify', (req, res) => {
    const v = verifiedOrRestart(req, res);
    if (!v) return;
    if (service.hasActiveAccount(v.member.id)) return renderRegistered(req, res, v);
    if (req.query.resent === '1') {
      return renderVerify(req, res, v, 200, { pageNotice: { kind: 'success', text: '新しい認証コードを送信しました。以前のコードは使えません。' } });
    }
    const refused = resendRefusedText(req.query.refused, req.query.retry);
    renderVerify(req, res, v, 200, refused ? { pageNotice: { kind: 'error', text: refused } } : {});
  });

  router.post('/verify', (req, res) => {
    const v = verifiedOrRestart(req, res);
    if (!v) return;
    const form = parseForm(emailCodeSchema, req.body);
    if (!form.ok) return renderVerify(req, res, v, 400, { errors: form.errors });
    const result = service.complete(v, form.data.code, clientIp(req));
    if (result.ok) {
      delete req.session.signup;
      req.session.signupDone = { loginId: result.loginId };
      return res.redirect(303, STEP4);
    }
    switch (result.reason) {
      case 'already_registered':
        return renderRegistered(req, res, v);
      case 'login_id_taken':
        return res.redirect(303, `${STEP2}?reason=taken`);
      case 'none':
        return res.redirect(303, `${STEP2}?reason=nocode`);
      case 'wrong':
        return renderVerify(req, res, v, 400, {
          errors: { code: `認証コードが正しくありません。あと${result.remainingTries ?? 0}回間違えると、このコードは使えなくなります` },
        });
      case 'voided':
      case 'expired':
        // The page says it once, in place of the code input (verify.njk).
        return renderVerify(req, res, v, 400);
      case 'too_many':
        return renderVerify(req, res, v, 429, {
          errors: { code: '認証コードの誤りが続いたため、しばらく入力を受け付けられません。1時間ほどたってから、もう一度お試しください' },
        });
    }
  });

  // A refused resend redirects back (post/redirect/get): reloading the page sends nothing again.
  router.post('/verify/resend', (req, res) => {
    const v = verifiedOrRestart(req, res);
    if (!v) return;
    const result = service.resendCode(v);
    if (result.ok) return res.redirect(303, `${STEP3}?resent=1`);
    if (result.reason === 'none') return res.redirect(303, `${STEP2}?reason=nocode`);
    res.redirect(303, `${STEP3}?refused=${result.reason === 'too_soon' ? 'soon' : 'hourly'}&retry=${result.retryAt}`);
  });

  /** The message of a refused resend, from the redirect's query (only these shapes show anything). */
  function resendRefusedText(kind: unknown, retry: unknown): string | undefined {
    const retryAt = typeof retry === 'string' && /^\d{1,15}$/.test(retry) ? Number(retry) : undefined;
    if (retryAt === undefined) return undefined;
    if (kind === 'soon') {
      const seconds = Math.max(1, Math.ceil((retryAt - now()) / 1000));
      return retryAt <= now()
        ? undefined
        : `認証コードの再送は1分に1回までです。あと${Math.min(seconds, 60)}秒たってから、もう一度お試しください。`;
    }
    if (kind === 'hourly') {
      return `認証コードの再送は1時間に${RESENDS_PER_HOUR}回までです。${formatTime(retryAt)}以降に、もう一度お試しください。`;
    }
    return undefined;
  }

  // ---- Step 4: done -----------------------------------------------------------------
  router.get('/done', (req, res) => {
    const done = req.session.signupDone;
    if (!done) return res.redirect(303, STEP1);
    res.render('signup/done.njk', { pageTitle: '登録完了', loginId: done.loginId });
  });

  return router;
}

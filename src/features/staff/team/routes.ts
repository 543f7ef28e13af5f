import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.js';
import { HttpError } from '../../../http/errors.js';
import { parseForm, type FieldErrors } from '../../../http/forms.js';
import { listInsurers } from '../../registry/insurers.js';
import { clientIp, signedInStaff } from '../guard.js';
import { recordRefusal } from '../refusals.js';
import { addStaffSchema, parseMemberId, reasonSchema } from '../schemas.js';
import { createStaffAccountsService, ROLE_LABELS, STAFF_ROLES, type Actor, type StaffChange, type StaffRole } from './service.js';

/** The per-person actions: URL segment → Japanese name and the message when done. */
const ACTIONS = {
  'reset-password': { label: 'パスワードの再発行', done: (l: string) => `${l} のパスワードを再発行しました。` },
  'reset-authenticator': { label: '認証アプリの再登録', done: (l: string) => `${l} の認証アプリを解除しました。次のログインで登録し直します。` },
  disable: { label: '利用停止', done: (l: string) => `${l} を利用停止にしました。ログイン中の画面も終了しました。` },
  enable: { label: '利用再開', done: (l: string) => `${l} の利用を再開しました。` },
  unlock: { label: 'ロック解除', done: (l: string) => `${l} のロックを解除しました。` },
} as const;
type ActionName = keyof typeof ACTIONS;

const ADD_LABELS = { staffLoginId: 'ログインID', role: '役割', insurerCodes: '担当保険者', reason: '理由' };

/**
 * `/staff/team` (supervisors): the staff list, adding a staff member, and per person
 * resetting the password or the authenticator, disabling, enabling and unlocking.
 * Every POST writes exactly one audit row: the change, or the refusal with what was asked.
 */
export function staffTeamRoutes(deps: Deps): Router {
  const accounts = createStaffAccountsService(deps);
  const router = Router();

  const actor = (req: Request, res: Response): Actor => {
    const me = signedInStaff(res);
    return { staffId: me.id, staffLogin: me.loginId, clientIp: clientIp(req) };
  };

  function renderList(res: Response, status: number, extra: { errors?: FieldErrors; values?: Record<string, unknown> } = {}) {
    res.status(status).render('staff/team.njk', {
      pageTitle: 'スタッフ',
      staffList: accounts.list(),
      roleOptions: STAFF_ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] })),
      insurerOptions: listInsurers(deps.db).map((i) => ({ value: i.code, text: `${i.name}（${i.code}）` })),
      labels: ADD_LABELS,
      errors: extra.errors ?? {},
      values: extra.values ?? {},
    });
  }

  function personOf(req: Request) {
    const id = parseMemberId(req.params.id as string | undefined);
    const person = id === undefined ? undefined : accounts.summary(id);
    if (!person) throw new HttpError(404, 'not_found', 'このスタッフは見つかりません。スタッフ一覧からやり直してください。');
    return person;
  }

  function renderPerson(req: Request, res: Response, status: number, extra: { errors?: FieldErrors; values?: Record<string, string>; problem?: string } = {}) {
    const person = personOf(req);
    res.status(status).render('staff/team-member.njk', {
      pageTitle: `スタッフ ${person.loginId}`,
      person,
      isSelf: person.id === signedInStaff(res).id,
      labels: Object.fromEntries(Object.keys(ACTIONS).map((a) => [`reason-${a}`, '理由'])),
      errors: extra.errors ?? {},
      values: extra.values ?? {},
      problem: extra.problem,
    });
  }

  function renderPassword(res: Response, loginId: string, initialPassword: string, what: 'added' | 'reset') {
    res.status(200).render('staff/team-password.njk', { pageTitle: '初期パスワード', loginId, initialPassword, what });
  }

  router.get('/', (_req, res) => renderList(res, 200));

  router.post('/', async (req, res) => {
    const form = parseForm(addStaffSchema, req.body);
    const values = form.ok ? { ...form.data } : { ...form.values, insurerCodes: checkedCodes(req.body) };
    if (!form.ok) {
      recordRefusal(deps, signedInStaff(res), req, { why: `スタッフ追加: ${Object.values(form.errors).join('／')}`, reason: form.values.reason });
      return renderList(res, 400, { errors: form.errors, values });
    }
    const d = form.data;
    const added = await accounts.addStaff({ loginId: d.staffLoginId, role: d.role as StaffRole, insurerCodes: d.insurerCodes }, actor(req, res), d.reason);
    if (!added.ok) {
      const message = added.ja ?? added.problem;
      recordRefusal(deps, signedInStaff(res), req, { why: `スタッフ追加: ${message}`, reason: d.reason });
      return renderList(res, 400, { errors: { [added.field === 'loginId' || !added.field ? 'staffLoginId' : added.field]: message }, values });
    }
    renderPassword(res, d.staffLoginId, added.initialPassword, 'added');
  });

  router.get('/:id', (req, res) => renderPerson(req, res, 200));

  function action(name: ActionName) {
    return async (req: Request, res: Response) => {
      const person = personOf(req);
      const field = `reason-${name}`;
      const form = parseForm(reasonSchema, req.body);
      if (!form.ok) {
        const message = form.errors.reason ?? '理由を入力してください';
        recordRefusal(deps, signedInStaff(res), req, { why: `${ACTIONS[name].label}（${person.loginId}）: ${message}` });
        return renderPerson(req, res, 400, { errors: { [field]: message }, values: { [field]: form.values.reason ?? '' } });
      }
      const target = { id: person.id };
      const who = actor(req, res);
      const reason = form.data.reason;
      let initialPassword: string | undefined;
      let outcome: StaffChange;
      if (name === 'reset-password') {
        const reset = await accounts.resetPassword(target, who, reason);
        if (reset.ok) initialPassword = reset.initialPassword;
        outcome = reset;
      } else {
        const run = { 'reset-authenticator': accounts.resetAuthenticator, disable: accounts.disable, enable: accounts.enable, unlock: accounts.unlock }[name];
        outcome = run(target, who, reason);
      }
      if (!outcome.ok) {
        if (outcome.notFound) throw new HttpError(404, 'not_found');
        recordRefusal(deps, signedInStaff(res), req, { why: `${ACTIONS[name].label}（${person.loginId}）: ${outcome.ja}`, reason });
        return renderPerson(req, res, 400, { problem: outcome.ja, values: { [field]: reason } });
      }
      if (initialPassword !== undefined) return renderPassword(res, outcome.loginId, initialPassword, 'reset');
      req.session.staffFlash = ACTIONS[name].done(outcome.loginId);
      res.redirect(303, `/staff/team/${person.id}`);
    };
  }

  router.post('/:id/reset-password', action('reset-password'));
  router.post('/:id/reset-authenticator', action('reset-authenticator'));
  router.post('/:id/disable', action('disable'));
  router.post('/:id/enable', action('enable'));
  router.post('/:id/unlock', action('unlock'));

  return router;
}

/** The insurer boxes ticked in a refused form, to tick them again. */
function checkedCodes(body: unknown): string[] {
  const v = (body as Record<string, unknown> | undefined)?.insurerCodes;
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.filter((c): c is string => typeof c === 'string').slice(0, 100);
}

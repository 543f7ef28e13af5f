import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Deps } from '../../../deps.js';
import { HttpError } from '../../../http/errors.js';
import { parseForm } from '../../../http/forms.js';
import { createActionService, type ActionOutcome } from './action-service.js';
import { clientIp, requireMemberActions, requireSupervisor, signedInStaff, type SignedInStaff } from '../guard.js';
import { createMemberViewService } from './service.js';
import { createStaffSurveyView } from '../../survey/staff-view.js';
import { isoDateJst } from '../../../lib/time.js';
import { parseMemberId, reasonSchema, registryEmailSchema } from '../schemas.js';

/** Each action: its Japanese name (for the audit row of a refusal), its form's field ids, and the page that holds the form. */
const ACTIONS = {
  userid: { label: 'ユーザーIDのお知らせメール', fields: { reason: 'reason-userid' }, page: 'member' },
  unlock: { label: 'ロック解除', fields: { reason: 'reason-unlock' }, page: 'member' },
  close: { label: 'アカウント停止', fields: { reason: 'reason-close' }, page: 'close' },
  registryEmail: { label: '名簿のメールアドレス変更', fields: { registryEmail: 'registry-email', reason: 'reason-registry-email' }, page: 'member' },
} as const;
type ActionName = keyof typeof ACTIONS;

const FIELD_LABELS = { 'reason-userid': '理由', 'reason-unlock': '理由', 'reason-close': '理由', 'registry-email': '新しいメールアドレス', 'reason-registry-email': '理由' };
const CLOSE_PURPOSE = 'アカウント停止の確認';

/** `/staff/members/<id>`: the member page (an audited view) and the actions on it, each with a reason. */
export function staffMemberRoutes(deps: Deps): Router {
  const members = createMemberViewService(deps);
  const actions = createActionService(deps);
  const surveyCases = createStaffSurveyView(deps);
  /** The survey cases shown on the member page (status, dependents, documents received; never content). */
  const casesOf = (memberId: number) => surveyCases.forMember(memberId, isoDateJst(deps.clock.now()));
  const router = Router();

  // Before any guard runs: a refused request (403, 404) is audited with the member it named.
  router.param('id', (_req, res, next, raw: string) => {
    res.locals.askedMemberId = parseMemberId(raw);
    next();
  });

  function memberIdOf(req: Request): number {
    const id = parseMemberId(req.params.id as string | undefined);
    if (id === undefined) throw new HttpError(404, 'not_found');
    return id;
  }

  const template = (page: 'member' | 'close') => (page === 'close' ? 'staff/member-close.njk' : 'staff/member.njk');
  const title = (page: 'member' | 'close', name: string) => (page === 'close' ? `アカウント停止の確認（${name} 様）` : `${name} 様`);

  router.get('/:id', (req, res) => {
    const member = members.viewMember(signedInStaff(res), memberIdOf(req), clientIp(req));
    if (!member) throw new HttpError(404, 'not_found');
    res.render('staff/member.njk', { pageTitle: title('member', member.name), member, surveyCases: casesOf(member.id) });
  });

  /** 表示: the same page with the addresses whole, audited as exactly that. A POST, so no link or prefetch can do it. */
  router.post('/:id/email', requireMemberActions, (req, res) => {
    const member = members.viewMember(signedInStaff(res), memberIdOf(req), clientIp(req), { revealEmails: true });
    if (!member) throw new HttpError(404, 'not_found');
    res.render('staff/member.njk', { pageTitle: title('member', member.name), member, surveyCases: casesOf(member.id) });
  });

  /** Closing an account asks first, on a page of its own that says what will happen. */
  router.get('/:id/close', requireSupervisor, (req, res) => {
    const member = members.viewMember(signedInStaff(res), memberIdOf(req), clientIp(req), { purpose: CLOSE_PURPOSE });
    if (!member) throw new HttpError(404, 'not_found');
    res.render(template('close'), { pageTitle: title('close', member.name), member });
  });

  /**
   * Parses the form, runs the action, then back to the member page; or the page that
   * held the form again, with the problem — itself an audited view of the member.
   */
  function action<S extends z.ZodType>(
    name: ActionName,
    schema: S,
    run: (staff: SignedInStaff, memberId: number, data: z.output<S>, ip: string) => ActionOutcome,
  ) {
    return (req: Request, res: Response) => {
      const staff = signedInStaff(res);
      const memberId = memberIdOf(req);
      const form = parseForm(schema, req.body);
      const outcome: ActionOutcome | undefined = form.ok ? run(staff, memberId, form.data, clientIp(req)) : undefined;
      if (outcome && 'notFound' in outcome) throw new HttpError(404, 'not_found');
      if (outcome?.ok) {
        req.session.staffFlash = outcome.message;
        return res.redirect(303, `/staff/members/${memberId}`);
      }
      const spec = ACTIONS[name];
      const problem = outcome && !outcome.ok && 'problem' in outcome ? outcome.problem : undefined;
      const typedReason = form.ok ? (form.data as { reason: string }).reason : form.values.reason;
      const member = members.viewAfterRefusedAction(staff, memberId, clientIp(req), {
        action: spec.label,
        why: problem ?? (form.ok ? '' : Object.values(form.errors).join('／')),
        reason: typedReason,
      });
      if (!member) throw new HttpError(404, 'not_found');
      // A field left out is the field's error; an action the member's state does not allow is the page's.
      const errors: Record<string, string> = {};
      const values: Record<string, string> = {};
      for (const [field, id] of Object.entries(spec.fields)) {
        if (!form.ok && form.errors[field]) errors[id] = form.errors[field]!;
        values[id] = form.ok ? String((form.data as Record<string, unknown>)[field] ?? '') : (form.values[field] ?? '');
      }
      res.status(400).render(template(spec.page), { pageTitle: title(spec.page, member.name), member, surveyCases: casesOf(member.id), problem, errors, labels: FIELD_LABELS, values });
    };
  }

  router.post('/:id/userid-reminder', requireMemberActions, action('userid', reasonSchema, (s, id, d, ip) => actions.sendUserIdReminder(s, id, d.reason, ip)));
  router.post('/:id/unlock', requireSupervisor, action('unlock', reasonSchema, (s, id, d, ip) => actions.unlock(s, id, d.reason, ip)));
  router.post('/:id/close', requireSupervisor, action('close', reasonSchema, (s, id, d, ip) => actions.closeAccount(s, id, d.reason, ip)));
  router.post(
    '/:id/registry-email',
    requireSupervisor,
    action('registryEmail', registryEmailSchema, (s, id, d, ip) => actions.changeRegistryEmail(s, id, d.registryEmail, d.reason, ip)),
  );

  return router;
}

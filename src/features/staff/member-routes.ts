import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../deps.js';
import { HttpError } from '../../http/errors.js';
import { parseForm } from '../../http/forms.js';
import { createActionService, type ActionOutcome } from './action-service.js';
import { clientIp, requireSupervisor, signedInStaff, type SignedInStaff } from './guard.js';
import { createMemberViewService } from './member-service.js';
import { createStaffSurveyView } from '../survey/staff-view.js';
import { isoDateJst } from '../../lib/time.js';
import { parseMemberId, reasonSchema } from './schemas.js';

type ActionName = 'userid' | 'unlock' | 'close';

/** `/staff/members/<id>`: the member page (an audited view) and the actions on it, each with a reason. */
export function staffMemberRoutes(deps: Deps): Router {
  const members = createMemberViewService(deps);
  const actions = createActionService(deps);
  const surveyCases = createStaffSurveyView(deps);
  const router = Router();

  function memberIdOf(req: Request): number {
    const id = parseMemberId(req.params.id as string | undefined);
    if (id === undefined) throw new HttpError(404, 'not_found');
    return id;
  }

  router.get('/:id', (req, res) => {
    const member = members.viewMember(signedInStaff(res), memberIdOf(req), clientIp(req));
    if (!member) throw new HttpError(404, 'not_found');
    res.render('staff/member.njk', { pageTitle: `${member.name} 様`, member, surveyCases: surveyCases.forMember(member.id, isoDateJst(deps.clock.now())) });
  });

  /** Parses the reason, runs the action, then back to the page (or the page again with the problem). */
  function action(name: ActionName, run: (staff: SignedInStaff, memberId: number, reason: string, ip: string) => ActionOutcome) {
    return (req: Request, res: Response) => {
      const staff = signedInStaff(res);
      const memberId = memberIdOf(req);
      const form = parseForm(reasonSchema, req.body);
      const outcome: ActionOutcome | undefined = form.ok ? run(staff, memberId, form.data.reason, clientIp(req)) : undefined;
      if (outcome && 'notFound' in outcome) throw new HttpError(404, 'not_found');
      if (outcome?.ok) {
        req.session.staffFlash = outcome.message;
        return res.redirect(303, `/staff/members/${memberId}`);
      }
      const member = members.memberForForm(staff, memberId);
      if (!member) throw new HttpError(404, 'not_found');
      // A reason left out is the field's error; an action the member's state does not allow is the page's.
      const field = `reason-${name}`;
      res.status(400).render('staff/member.njk', {
        pageTitle: `${member.name} 様`,
        member,
        problem: outcome && !outcome.ok && 'problem' in outcome ? outcome.problem : undefined,
        errors: form.ok ? {} : { [field]: form.errors.reason ?? '理由を入力してください' },
        labels: { [field]: '理由' },
        values: { [field]: form.ok ? form.data.reason : (form.values.reason ?? '') },
      });
    };
  }

  router.post('/:id/userid-reminder', action('userid', actions.sendUserIdReminder));
  router.post('/:id/unlock', requireSupervisor, action('unlock', actions.unlock));
  router.post('/:id/close', requireSupervisor, action('close', actions.closeAccount));

  return router;
}

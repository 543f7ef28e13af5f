import { Router } from 'express';
import type { Deps } from '../../../deps.js';
import { HttpError } from '../../../http/errors.js';
import { parseForm } from '../../../http/forms.js';
import { createStaffAccountsService } from './service.js';
import { clientIp, signedInStaff } from '../guard.js';
import { parseMemberId, reasonSchema } from '../schemas.js';

/** `/staff/team` (supervisors): the staff accounts, and unlocking one that failed to sign in 5 times. */
export function staffTeamRoutes(deps: Deps): Router {
  const accounts = createStaffAccountsService(deps);
  const router = Router();

  const page = (extra: Record<string, unknown> = {}) => ({ pageTitle: 'スタッフ', staffList: accounts.list(), ...extra });

  router.get('/', (_req, res) => res.render('staff/team.njk', page()));

  router.post('/:id/unlock', (req, res) => {
    const id = parseMemberId(req.params.id as string | undefined);
    if (id === undefined) throw new HttpError(404, 'not_found');
    const field = `reason-${id}`;
    const form = parseForm(reasonSchema, req.body);
    if (!form.ok) {
      return res.status(400).render('staff/team.njk', page({ errors: { [field]: form.errors.reason }, labels: { [field]: '理由' } }));
    }
    const me = signedInStaff(res);
    const outcome = accounts.unlock({ id }, { staffId: me.id, staffLogin: me.loginId, clientIp: clientIp(req) }, form.data.reason);
    if (!outcome.ok) {
      if (outcome.notFound) throw new HttpError(404, 'not_found');
      return res.status(400).render('staff/team.njk', page({ errors: { [field]: 'このスタッフはロックされていません' }, labels: { [field]: '理由' } }));
    }
    req.session.staffFlash = `${outcome.loginId} のロックを解除しました。`;
    res.redirect(303, '/staff/team');
  });

  return router;
}

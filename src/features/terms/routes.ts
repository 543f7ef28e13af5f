import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { checkboxField, parseForm } from '../../http/forms.js';
import { requireMember, signedInMember } from '../../http/member-guard.js';
import { clientIp } from '../../http/client-ip.js';

const NOT_TICKED = '内容をご確認のうえ、「利用規約に同意する」にチェックを入れてください';

const acceptSchema = z.object({
  agree: checkboxField().refine((ticked) => ticked, NOT_TICKED),
  version: z.string({ error: NOT_TICKED }).regex(/^\d{1,10}$/, NOT_TICKED).transform(Number),
});

/**
 * `/portal/terms`: the insurer's newest terms of use, 利用規約に同意する (`agree`), 次へ.
 * Only requireMember here: this is where requireCurrentTerms sends people.
 */
export function termsRoutes(deps: Deps): Router {
  const { terms } = deps.services;
  const router = Router();
  router.use(requireMember(deps.services.accounts));

  function renderTerms(res: Response, status: number, locals: Record<string, unknown> = {}) {
    const member = signedInMember(res);
    const current = terms.latest(member.insurerId);
    res.status(status).render('terms/show.njk', {
      pageTitle: '利用規約',
      terms: current,
      acceptedAt: current ? terms.acceptedAt(member.accountId, current.id) : undefined,
      labels: { agree: '利用規約に同意する' },
      errors: {},
      ...locals,
    });
  }

  router.get('/', (_req, res) => renderTerms(res, 200));

  router.post('/', (req, res) => {
    const member = signedInMember(res);
    const form = parseForm(acceptSchema, req.body);
    if (!form.ok) {
      return renderTerms(res, 400, { errors: { agree: form.errors.agree ?? form.errors.version ?? NOT_TICKED } });
    }
    const recorded = terms.accept({
      accountId: member.accountId,
      insurerId: member.insurerId,
      versionId: form.data.version,
      clientIp: clientIp(req),
    });
    if (!recorded) return renderTerms(res, 400, { errors: { agree: NOT_TICKED } });
    // My page checks again: a version published meanwhile brings the member back here.
    res.redirect(303, '/portal/mypage');
  });

  return router;
}

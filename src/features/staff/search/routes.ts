import { Router, type Response } from 'express';
import type { Deps } from '../../../deps.js';
import { parseForm, type FieldErrors } from '../../../http/forms.js';
import { clientIp, signedInStaff } from '../guard.js';
import { cardSearchSchema, kanaSearchSchema } from '../schemas.js';
import { birthDateText } from '../labels.js';
import { createSearchService, type SearchResult } from './service.js';

const LABELS: Record<string, string> = {
  insurerCode: '保険者',
  symbol: '記号',
  number: '番号',
  nameKana: '氏名（カナ）',
  birthYear: '年',
  birthMonth: '月',
  birthDay: '日',
};

/** `/staff/`: the two search forms; each search is a POST because it writes an audit row. */
export function staffSearchRoutes(deps: Deps): Router {
  const search = createSearchService(deps);
  const router = Router();

  function render(
    res: Response,
    status: number,
    o: { mode?: 'card' | 'kana'; errors?: FieldErrors; values?: Record<string, string>; result?: SearchResult },
  ) {
    const staff = signedInStaff(res);
    const insurers = search.visibleInsurers(staff.scope);
    const values = { ...(insurers.length === 1 ? { insurerCode: insurers[0]!.code } : {}), ...o.values };
    res.status(status).render('staff/search.njk', {
      pageTitle: '加入者検索',
      insurerOptions: insurers.map((i) => ({ value: i.code, text: `${i.name}（${i.code}）` })),
      labels: LABELS,
      ...o,
      values,
    });
  }

  router.get('/', (_req, res) => render(res, 200, {}));

  /** A single exact hit opens the member's page (its view is audited there); otherwise the list. */
  function answer(res: Response, mode: 'card' | 'kana', values: Record<string, string>, result: SearchResult) {
    if (result.hits.length === 1 && !result.truncated) return res.redirect(303, `/staff/members/${result.hits[0]!.id}`);
    render(res, 200, { mode, values, result });
  }

  router.post('/search/card', (req, res) => {
    const form = parseForm(cardSearchSchema, req.body);
    if (!form.ok) return render(res, 400, { mode: 'card', errors: form.errors, values: form.values });
    const result = search.byCard(signedInStaff(res), form.data, clientIp(req));
    answer(res, 'card', { insurerCode: form.data.insurerCode, symbol: form.data.symbol, number: form.data.number }, result);
  });

  router.post('/search/kana', (req, res) => {
    const form = parseForm(kanaSearchSchema, req.body);
    if (!form.ok) return render(res, 400, { mode: 'kana', errors: form.errors, values: form.values });
    const result = search.byKana(signedInStaff(res), form.data, clientIp(req));
    const [y, m, d] = form.data.birthDate.split('-').map(Number);
    // The year as typed (S50 stays S50); the date searched is in the result's heading.
    const typedYear = typeof req.body?.birthYear === 'string' ? req.body.birthYear.trim() : String(y);
    answer(res, 'kana', { nameKana: form.data.nameKana, birthYear: typedYear, birthMonth: String(m), birthDay: String(d) }, {
      ...result,
      searchedDate: birthDateText(form.data.birthDate),
    });
  });

  return router;
}

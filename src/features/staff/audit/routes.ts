import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.js';
import { parseForm } from '../../../http/forms.js';
import { auditPage, countAuditRows, iterateAuditRows, type AuditFilter } from '../../audit/queries.js';
import { jstDayRange } from '../../audit/range.js';
import { writeAuditCsv, jstTimestamp } from '../../audit/csv.js';
import { auditActionLabel, recordAudit } from '../../audit/writer.js';
import { clientIp, signedInStaff } from '../guard.js';
import { auditFilterSchema } from '../schemas.js';

const PAGE_SIZE = 50;

type ParsedFilter = { filter: AuditFilter; values: Record<string, string>; page: number; description: string };

function parseFilter(req: Request): ParsedFilter | { errors: Record<string, string>; values: Record<string, string> } {
  const form = parseForm(auditFilterSchema, req.query);
  if (!form.ok) return { errors: form.errors, values: form.values };
  const v = form.data;
  const filter: AuditFilter = {
    ...(v.staff ? { staffLogin: v.staff } : {}),
    ...(v.memberId ? { memberId: Number(v.memberId) } : {}),
    ...jstDayRange(v.from || undefined, v.to || undefined),
  };
  const description = [
    v.staff && `スタッフ=${v.staff}`,
    v.memberId && `加入者ID=${v.memberId}`,
    v.from && `開始日=${v.from}`,
    v.to && `終了日=${v.to}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { filter, values: { staff: v.staff, memberId: v.memberId, from: v.from, to: v.to }, page: v.page ? Number(v.page) : 1, description };
}

function queryString(values: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, val] of Object.entries({ ...values, ...extra })) if (val) params.set(k, val);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `/staff/audit` (supervisors): the audit log with filters and paging, and its CSV export. Reading it is audited too. */
export function staffAuditRoutes(deps: Deps): Router {
  const { db, clock } = deps;
  const router = Router();

  /**
   * The filters of a read of the log (page or CSV). A bad filter answers 400 with the
   * form and gives undefined; a good one is audited as that read before anything is shown.
   */
  function auditedRead(req: Request, res: Response, action: 'view_audit' | 'export_audit', detail?: (p: ParsedFilter) => string): ParsedFilter | undefined {
    const parsed = parseFilter(req);
    if ('errors' in parsed) {
      res.status(400).render('staff/audit.njk', { pageTitle: '監査ログ', errors: parsed.errors, values: parsed.values, rows: [] });
      return undefined;
    }
    const staff = signedInStaff(res);
    recordAudit(db, clock, {
      staffId: staff.id,
      staffLogin: staff.loginId,
      clientIp: clientIp(req),
      action,
      query: parsed.description || null,
      ...(detail ? { detail: detail(parsed) } : {}),
    });
    return parsed;
  }

  router.get('/', (req, res) => {
    const parsed = auditedRead(req, res, 'view_audit', (p) => `ページ ${p.page}`);
    if (!parsed) return;
    const total = countAuditRows(db, parsed.filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(parsed.page, pages);
    const rows = auditPage(db, parsed.filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).map((r) => ({
      ...r,
      atText: jstTimestamp(r.at),
      actionLabel: auditActionLabel(r.action),
    }));
    res.render('staff/audit.njk', {
      pageTitle: '監査ログ',
      values: parsed.values,
      rows,
      total,
      page,
      pages,
      prevLink: page > 1 ? `/staff/audit${queryString(parsed.values, { page: String(page - 1) })}` : undefined,
      nextLink: page < pages ? `/staff/audit${queryString(parsed.values, { page: String(page + 1) })}` : undefined,
      csvLink: `/staff/audit/csv${queryString(parsed.values)}`,
    });
  });

  router.get('/csv', (req, res) => {
    const parsed = auditedRead(req, res, 'export_audit');
    if (!parsed) return;
    const stamp = jstTimestamp(clock.now()).replace(/[-: ]/g, '');
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="audit-${stamp}.csv"`);
    writeAuditCsv(iterateAuditRows(db, parsed.filter), (chunk) => res.write(chunk));
    res.end();
  });

  return router;
}

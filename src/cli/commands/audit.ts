import fs from 'node:fs';
import { inTransaction } from '../../db/database.js';
import { writeAuditCsv } from '../../features/audit/csv.js';
import { iterateAuditRows } from '../../features/audit/queries.js';
import { jstDayRange } from '../../features/audit/range.js';
import { CLI_ACTOR, recordAudit } from '../../features/audit/writer.js';
import { isRealDate } from '../../lib/time.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = 'usage: portal audit export --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE]';

/** The same CSV as /staff/audit's export: UTF-8 with BOM, Japan dates, both days inclusive. */
export const auditCommand: Command = {
  run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'export') throw new UsageError(USAGE);
    const { values } = parseOptions(rest, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } });
    const from = requireOption(values.from, 'from');
    const to = requireOption(values.to, 'to');
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (!isRealDate(v)) throw new UsageError(`--${name} "${v}" must be a date YYYY-MM-DD`);
    }
    if (from > to) throw new UsageError('--from must not be after --to');

    const rows = iterateAuditRows(ctx.db, jstDayRange(from, to));
    let count: number;
    if (values.out) {
      const tmp = `${values.out}.tmp-${process.pid}`;
      const fd = fs.openSync(tmp, 'w');
      try {
        count = writeAuditCsv(rows, (chunk) => fs.writeSync(fd, chunk));
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, values.out); // no half-written file under the requested name
    } else {
      const parts: string[] = [];
      count = writeAuditCsv(rows, (chunk) => parts.push(chunk));
      ctx.out(parts.join('').replace(/\r\n$/, ''));
    }
    inTransaction(ctx.db, () =>
      recordAudit(ctx.db, ctx.clock, { ...CLI_ACTOR, action: 'export_audit', query: `開始日=${from} 終了日=${to}`, detail: `${count}件` }),
    );
    if (values.out) ctx.out(`${count} audit rows (${from} – ${to}, Japan time) written to ${values.out}`);
  },
};

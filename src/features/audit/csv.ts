import { auditActionLabel } from './writer.js';
import type { AuditRow } from './queries.js';

/** Excel reads UTF-8 only when the file starts with a byte order mark. */
export const CSV_BOM = '\uFEFF';

const HEADER = ['ID', '日時', 'スタッフID', 'スタッフ', '端末アドレス', '操作', '操作名', '検索条件', '加入者ID', '理由', '詳細'];

/**
 * What a spreadsheet may take for the start of a formula (OWASP "CSV injection"):
 * = + - @, their full-width (＝ ＋ － ＠) and small (﹦ ﹢ ﹣) forms and the minus sign −,
 * which a Japanese IME types and Excel may read as the half-width ones; a tab, CR or
 * LF, behind which a formula can hide; and NUL, which some readers drop.
 */
const FORMULA_START = /^[=+\-@\t\r\n\0＝＋－＠﹦﹢﹣−]/;

/**
 * One CSV cell. A cell that could be read as a formula gets a leading apostrophe:
 * an operator's typed reason or a login ID typed at a failed sign-in must never
 * run in the supervisor's Excel.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** `2026-04-01 09:00:00` in Japan time. */
export function jstTimestamp(ms: number): string {
  return new Date(ms + 9 * 60 * 60 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Writes BOM, header and every row; returns the number of rows. */
export function writeAuditCsv(rows: Iterable<AuditRow>, write: (chunk: string) => void): number {
  write(CSV_BOM + csvLine(HEADER));
  let n = 0;
  let buffer = '';
  for (const r of rows) {
    buffer += csvLine([
      r.id,
      jstTimestamp(r.at),
      r.staff_id,
      r.staff_login,
      r.client_ip,
      r.action,
      auditActionLabel(r.action),
      r.query,
      r.member_id,
      r.reason,
      r.detail,
    ]);
    n += 1;
    if (buffer.length > 64 * 1024) {
      write(buffer);
      buffer = '';
    }
  }
  if (buffer) write(buffer);
  return n;
}

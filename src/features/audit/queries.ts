import type { Db } from '../../db/database.js';

export interface AuditRow {
  id: number;
  at: number;
  staff_id: number | null;
  staff_login: string;
  client_ip: string;
  action: string;
  query: string | null;
  member_id: number | null;
  reason: string | null;
  detail: string | null;
}

/** Every filter is optional; times are [fromMs, toMs) in milliseconds. */
export interface AuditFilter {
  staffLogin?: string;
  memberId?: number;
  fromMs?: number;
  toMs?: number;
}

const COLUMNS = 'id, at, staff_id, staff_login, client_ip, action, query, member_id, reason, detail';

function where(f: AuditFilter): { sql: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  if (f.staffLogin !== undefined) {
    parts.push('staff_login = @staffLogin COLLATE NOCASE');
    params.staffLogin = f.staffLogin;
  }
  if (f.memberId !== undefined) {
    parts.push('member_id = @memberId');
    params.memberId = f.memberId;
  }
  if (f.fromMs !== undefined) {
    parts.push('at >= @fromMs');
    params.fromMs = f.fromMs;
  }
  if (f.toMs !== undefined) {
    parts.push('at < @toMs');
    params.toMs = f.toMs;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function countAuditRows(db: Db, f: AuditFilter): number {
  const w = where(f);
  return db.prepare(`SELECT count(*) FROM audit_log ${w.sql}`).pluck().get(w.params) as number;
}

/** Newest first, one page. */
export function auditPage(db: Db, f: AuditFilter, limit: number, offset: number): AuditRow[] {
  const w = where(f);
  return db
    .prepare<[Record<string, string | number>], AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log ${w.sql} ORDER BY at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
    )
    .all(w.params);
}

/** Oldest first, streamed row by row for the CSV export. */
export function iterateAuditRows(db: Db, f: AuditFilter): IterableIterator<AuditRow> {
  const w = where(f);
  return db
    .prepare<[Record<string, string | number>], AuditRow>(`SELECT ${COLUMNS} FROM audit_log ${w.sql} ORDER BY at, id`)
    .iterate(w.params);
}

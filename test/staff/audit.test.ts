import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, jstTimestamp, writeAuditCsv } from '../../src/features/audit/csv.js';
import { recordAudit } from '../../src/features/audit/writer.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { cli, createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { newSignedInStaff, type SignedIn } from '../support/staff-flows.js';

let ctx: TestContext;
let sv: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa' });
  sv = await newSignedInStaff(ctx, 'sv-audit', 'supervisor');
});
afterAll(() => ctx.close());

function addRows(n: number, o: { at: number; login?: string; memberId?: number | null; reason?: string | null }) {
  const clock = { now: () => o.at };
  for (let i = 0; i < n; i++) {
    recordAudit(ctx.db, clock, {
      staffId: null,
      staffLogin: o.login ?? 'someone',
      clientIp: '198.51.100.7',
      action: 'search',
      query: `row ${i}`,
      memberId: o.memberId ?? null,
      reason: o.reason ?? null,
    });
  }
}

describe('the audit log is append-only', () => {
  it('refuses UPDATE and DELETE at the database', () => {
    expect(() => ctx.db.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => ctx.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});

describe('/staff/audit', () => {
  it('filters by staff, member and Japan date range, and audits each reading', async () => {
    const member = makeMember(ctx.db, ctx.clock, makeInsurer(ctx.db, ctx.clock));
    // 2026-03-10 23:30 JST and 2026-03-11 00:30 JST: different Japan days, same UTC day.
    addRows(1, { at: Date.parse('2026-03-10T23:30:00+09:00'), login: 'op-filter', memberId: member.id, reason: '前日' });
    addRows(1, { at: Date.parse('2026-03-11T00:30:00+09:00'), login: 'op-filter', memberId: member.id, reason: '当日' });
    addRows(1, { at: Date.parse('2026-03-11T12:00:00+09:00'), login: 'op-other', memberId: null, reason: '別の人' });

    const mark = ctx.readers.lastAuditId();
    let res = await sv.agent.get('/staff/audit?staff=OP-FILTER&from=2026-03-11&to=2026-03-11');
    expect(res.status).toBe(200);
    let text = visibleText(res.text);
    expect(text).toContain('1件中 1／1ページ');
    expect(text).toContain('当日');
    expect(text).not.toContain('前日');
    expect(text).not.toContain('別の人');

    res = await sv.agent.get(`/staff/audit?memberId=${member.id}`);
    text = visibleText(res.text);
    expect(text).toContain('2件中');
    expect(text).toContain('前日');
    expect(res.text).toContain(`href="/staff/members/${member.id}"`);

    const rows = ctx.readers.auditRows(mark).map(({ action, query }) => ({ action, query }));
    expect(rows).toEqual([
      { action: 'view_audit', query: 'スタッフ=OP-FILTER 開始日=2026-03-11 終了日=2026-03-11' },
      { action: 'view_audit', query: `加入者ID=${member.id}` },
    ]);
  });

  it('pages 50 rows at a time, newest first', async () => {
    addRows(120, { at: Date.parse('2026-02-01T10:00:00+09:00'), login: 'pager' });
    let res = await sv.agent.get('/staff/audit?staff=pager');
    expect(visibleText(res.text)).toContain('120件中 1／3ページ');
    expect(res.text).toContain('href="/staff/audit?staff=pager&amp;page=2"');
    expect(res.text).not.toContain('rel="prev"');
    res = await sv.agent.get('/staff/audit?staff=pager&page=3');
    expect(visibleText(res.text)).toContain('120件中 3／3ページ');
    expect((res.text.match(/<tr>/g) ?? []).length).toBe(1 + 20);
    expect(res.text).toContain('href="/staff/audit?staff=pager&amp;page=2"');
    expect(res.text).not.toContain('rel="next"');
    // A page past the end shows the last one.
    expect(visibleText((await sv.agent.get('/staff/audit?staff=pager&page=99')).text)).toContain('3／3ページ');
  });

  it('refuses bad filters with messages, never a server error', async () => {
    for (const q of ['from=2026-02-30', 'to=yesterday', 'memberId=abc', 'page=0', 'from=2026-03-02&to=2026-03-01', 'staff=a&staff=b', `staff=${'x'.repeat(5000)}`]) {
      const res = await sv.agent.get(`/staff/audit?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.text).toContain('error-summary');
    }
  });

  it('exports the filtered rows as CSV with a BOM, Japan times and formula cells defused', async () => {
    addRows(1, { at: Date.parse('2026-01-05T09:15:00+09:00'), login: 'csv-op', reason: '=HYPERLINK("http://evil")' });
    addRows(1, { at: Date.parse('2026-01-05T09:16:00+09:00'), login: 'csv-op', reason: '改行\nと "引用符", カンマ' });
    const mark = ctx.readers.lastAuditId();
    const res = await sv.agent.http.get('/staff/audit/csv?staff=csv-op&from=2026-01-05&to=2026-01-05').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{14}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = (res.body as Buffer).toString('utf8');
    expect(body.startsWith('\uFEFFID,日時,スタッフID,スタッフ,端末アドレス,操作,操作名,検索条件,加入者ID,理由,詳細\r\n')).toBe(true);
    const lines = body.slice(1).split('\r\n');
    expect(lines[1]).toMatch(/^\d+,2026-01-05 09:15:00,,csv-op,198\.51\.100\.7,search,加入者検索,row 0,,"'=HYPERLINK\(""http:\/\/evil""\)",$/);
    expect(body).toContain('"改行\nと ""引用符"", カンマ"');
    expect(lines.filter((l) => l.includes('csv-op')).length).toBe(2);
    expect(ctx.readers.auditRows(mark).map(({ action, query }) => ({ action, query }))).toEqual([
      { action: 'export_audit', query: 'スタッフ=csv-op 開始日=2026-01-05 終了日=2026-01-05' },
    ]);
  });
});

describe('csv cells', () => {
  it('prefixes cells that a spreadsheet would run as a formula and quotes separators', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+81 3')).toBe("'+81 3");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('ケンポ')).toBe('ケンポ');
  });

  it('also defuses the full-width and small forms, the minus sign, and a leading NUL, tab, CR or LF', () => {
    for (const s of ['＝1+1', '＋81', '－5', '＠SUM(A1)', '﹦1', '﹢1', '﹣1', '−1', '\0=1+1', '\t=1', '\r=1', '\n=1']) {
      expect(csvCell(s).replace(/^"/, ''), JSON.stringify(s)).toMatch(/^'/);
    }
    // Only the start matters: a formula sign later in the text is harmless.
    expect(csvCell('理由=なし')).toBe('理由=なし');
  });
});

describe('a login ID typed at a failed sign-in', () => {
  it('reaches the CSV export only as text, whatever sign it starts with', async () => {
    const typed = ['＝HYPERLINK("http://evil","x")', '＠SUM(1)', '－1+2', '+cmd|calc'];
    for (const loginId of typed) {
      const agent = new TestAgent(ctx.app);
      const res = await agent.submit('/staff/login', { loginId, password: 'wrong-password-123' });
      expect(res.status).toBe(401);
    }
    const day = jstTimestamp(ctx.clock.now()).slice(0, 10);
    const res = await sv.agent.http.get(`/staff/audit/csv?from=${day}&to=${day}`);
    expect(res.status).toBe(200);
    const lines = res.text.split('\r\n').filter((l) => l.includes('signin_failed'));
    expect(lines.length).toBeGreaterThanOrEqual(typed.length);
    for (const line of lines) {
      // Each cell after a comma (or quote) that starts with a formula sign carries the apostrophe first.
      for (const cell of line.split(',')) expect(cell.replace(/^"/, ''), line).not.toMatch(/^[=+\-@＝＋－＠]/);
    }
    expect(res.text).toContain(`"'＝HYPERLINK(""http://evil""`);
    expect(res.text).toContain("'＠SUM(1)");
  });
});

describe('portal audit export', () => {
  it('prints the same CSV as the web export for a Japan date range, and audits the export', async () => {
    addRows(2, { at: Date.parse('2025-12-24T23:59:00+09:00'), login: 'cli-op' });
    addRows(1, { at: Date.parse('2025-12-25T00:00:00+09:00'), login: 'cli-op' });
    const before = ctx.readers.auditCount();
    const r = await cli(ctx, ['audit', 'export', '--from', '2025-12-24', '--to', '2025-12-24']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('\uFEFFID,日時,')).toBe(true);
    const lines = r.out.split('\r\n');
    expect(lines.length).toBe(3);
    expect(lines[1]).toContain('2025-12-24 23:59:00,,cli-op');

    const web = await sv.agent.http.get('/staff/audit/csv?from=2025-12-24&to=2025-12-24');
    expect(web.text).toBe(r.out + '\r\n');
    expect(ctx.readers.auditCount()).toBe(before + 2);
    expect(ctx.db.prepare("SELECT staff_login, client_ip, detail FROM audit_log WHERE action = 'export_audit' AND staff_id IS NULL").get()).toEqual({
      staff_login: '(コマンド)',
      client_ip: 'cli',
      detail: '2件',
    });
  });

  it('writes the file given with --out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-export-'));
    const file = path.join(dir, 'audit.csv');
    const r = await cli(ctx, ['audit', 'export', '--from', '2025-12-25', '--to', '2025-12-25', '--out', file]);
    expect(r.out).toBe(`1 audit rows (2025-12-25 – 2025-12-25, Japan time) written to ${file}`);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('2025-12-25 00:00:00,,cli-op');
    expect(fs.readdirSync(dir)).toEqual(['audit.csv']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses missing or impossible dates with a clear message', async () => {
    for (const argv of [
      ['audit', 'export', '--from', '2025-12-01'],
      ['audit', 'export', '--from', '2025-02-30', '--to', '2025-03-01'],
      ['audit', 'export', '--from', '2025-03-02', '--to', '2025-03-01'],
      ['audit', 'list'],
    ]) {
      const r = await cli(ctx, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/^portal audit: /);
    }
  });
});

describe('writeAuditCsv', () => {
  it('streams in chunks and counts rows', () => {
    const chunks: string[] = [];
    const row = { id: 1, at: Date.parse('2026-04-01T00:00:00Z'), staff_id: 2, staff_login: 's', client_ip: 'ip', action: 'signin', query: null, member_id: null, reason: null, detail: null };
    const n = writeAuditCsv(Array.from({ length: 3000 }, (_, i) => ({ ...row, id: i })), (c) => chunks.push(c));
    expect(n).toBe(3000);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('')).toContain('2999,2026-04-01 09:00:00,2,s,ip,signin,ログイン,,,,\r\n');
  });
});

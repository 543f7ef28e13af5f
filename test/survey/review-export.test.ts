import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/lib/clock.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { cli, memberWithSurvey, today } from './helpers.js';
import { newStaff, onCase, submittedCase, type SubmittedCase } from './review-helpers.js';
import { storedFiles } from './upload-helpers.js';

let ctx: TestContext;
let s: SubmittedCase;
let reviewer: Awaited<ReturnType<typeof newStaff>>;
beforeAll(async () => {
  ctx = await createTestContext();
  s = await submittedCase(ctx);
  // A second member of the same survey who has not answered, named like a formula.
  await memberWithSurvey(ctx, {
    insurer: s.insurer, surveyId: s.surveyId,
    rows: (m) => [`${m.member.symbol},${m.member.number},1,＝健保 次郎,ケンポ ジロウ,1990-01-01,配偶者,`],
  });
  ctx.db.prepare('UPDATE members SET name = ? WHERE id = (SELECT member_id FROM survey_cases WHERE survey_id = ? AND id <> ?)').run('=HYPERLINK("x")', s.surveyId, s.caseId);
  reviewer = await newStaff(ctx, 'rev-export', 'reviewer', [s.insurer.code]);
  await onCase(reviewer.agent, s.caseId, `dependents/${s.dependents[0]}/decision`, { decision: 'continue', seen: '0' });
  await onCase(reviewer.agent, s.caseId, `dependents/${s.dependents[1]}/decision`, { decision: 'remove', removalDate: '2026-05-31', reason: '+就職', seen: '0' });
});
afterAll(async () => {
  await ctx.close();
});

const HEADER =
  'insurer_code,symbol,number,dependent_no,name_kana,birth_date,relationship,status,submitted_at,late,continuation,residence,lives_in_japan,occupation,income_total,hint,decision,removal_date,decision_reason,decided_by,decided_at';

const bytes = (res: { body: unknown }) => res.body as Buffer;
const binary = (agent: SubmittedCase['agent'], url: string) =>
  agent.http.get(url).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('the results export', () => {
  it('lists one row per target dependent with the decisions, UTF-8 with a BOM, formulas neutralised, audited', async () => {
    const since = ctx.readers.lastAuditId();
    const res = await binary(reviewer.agent, `/staff/survey/${s.surveyId}/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="survey-${s.surveyId}-results.csv"`);
    const buf = bytes(res);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = buf.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(4);
    const m = s.account.member;
    expect(lines[1]).toMatch(new RegExp(`^${s.insurer.code},${m.symbol},${m.number},1,ケンポ イチロウ,1983-06-10,配偶者,in_review,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,0,continue,together,yes,none,0,基準内,continue,,,rev-export,`));
    expect(lines[2]).toContain(",子,in_review,");
    expect(lines[2]).toContain(",student,0,基準内,remove,2026-05-31,'+就職,rev-export,");
    expect(lines[3]).toMatch(/,1,ケンポ ジロウ,1990-01-01,配偶者,not_started,,0,,,,,,,,,,,$/);
    expect(ctx.readers.auditRows(since)).toEqual([expect.objectContaining({ action: 'export_survey', query: '結果・UTF-8', staff_login: 'rev-export' })]);
  });

  it('in Shift_JIS when asked, from the console and the command line', async () => {
    const res = await binary(reviewer.agent, `/staff/survey/${s.surveyId}/export.csv?encoding=sjis`);
    const text = iconv.decode(bytes(res), 'cp932');
    expect(text.startsWith(HEADER)).toBe(true);
    expect(text).toContain('ケンポ イチロウ');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'survey-export-')), 'out.csv');
    const since = ctx.readers.lastAuditId();
    const r = await cli(ctx, ['survey', 'export', '--survey', String(s.surveyId), '--out', file, '--encoding', 'sjis']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`3 row(s) written to ${file}`);
    expect(iconv.decode(fs.readFileSync(file), 'cp932')).toBe(text);
    expect(ctx.readers.auditRows(since)).toEqual([expect.objectContaining({ action: 'export_survey', staff_login: '(コマンド)', query: '結果・Shift_JIS' })]);
    expect((await cli(ctx, ['survey', 'export', '--survey', String(s.surveyId), '--encoding', 'latin1'])).code).toBe(1);
  });

  it('the non-responders: members whose case is not submitted, with whether an address is on file', async () => {
    const res = await binary(reviewer.agent, `/staff/survey/${s.surveyId}/nonresponders.csv`);
    const lines = bytes(res).toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('insurer_code,symbol,number,name,status,has_address');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,"'=HYPERLINK\(""x""\)",not_started,1$/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'survey-export-')), 'non.csv');
    const r = await cli(ctx, ['survey', 'export', '--survey', String(s.surveyId), '--out', file, '--nonresponders']);
    expect(r.code, r.err).toBe(0);
    expect(fs.readFileSync(file)).toEqual(bytes(res));
  });
});

describe('portal survey purge', () => {
  it('deletes the files of cases completed before the day, keeps their records, and logs it', async () => {
    const keys = ctx.db.prepare('SELECT storage_key FROM survey_documents WHERE case_id = ?').pluck().all(s.caseId) as string[];
    expect(keys.length).toBeGreaterThan(0);
    // Not completed yet: nothing goes.
    let r = await cli(ctx, ['survey', 'purge', '--survey', String(s.surveyId), '--before', today(ctx)]);
    expect(r.out).toContain('0 document file(s)');
    expect((await onCase(reviewer.agent, s.caseId, 'complete')).status).toBe(303);
    r = await cli(ctx, ['survey', 'purge', '--survey', String(s.surveyId), '--before', today(ctx)]);
    expect(r.out).toContain('0 document file(s)');
    ctx.clock.advance(DAY);
    const since = ctx.readers.lastAuditId();
    r = await cli(ctx, ['survey', 'purge', '--survey', String(s.surveyId), '--before', today(ctx)]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${keys.length} document file(s) of cases completed before ${today(ctx)} deleted; their records are kept`);
    for (const k of keys) expect(storedFiles(ctx).some((f) => f.includes(k))).toBe(false);
    const rows = ctx.db.prepare('SELECT state, sha256, file_purged_at FROM survey_documents WHERE case_id = ?').all(s.caseId) as { sha256: string; file_purged_at: number | null }[];
    expect(rows).toHaveLength(keys.length);
    expect(rows.every((x) => x.file_purged_at !== null && x.sha256)).toBe(true);
    expect(ctx.readers.auditRows(since)).toEqual([expect.objectContaining({ action: 'purge_survey_documents', staff_login: '(コマンド)', detail: `削除したファイル ${keys.length}件` })]);
    expect((await cli(ctx, ['survey', 'purge', '--survey', String(s.surveyId), '--before', '2026-02-30'])).code).toBe(1);
  });
});

import path from 'node:path';
import { Writable } from 'node:stream';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { addDays } from '../src/features/survey/dates.js';
import { insertInsurer } from '../src/features/registry/insurers.js';
import { createSurveyExport } from '../src/features/survey/review/export.js';
import { createReviewProgress, PAGE_SIZE, QUEUE_STATUSES } from '../src/features/survey/review/progress.js';
import { systemClock } from '../src/lib/clock.js';
import { isoDateJst } from '../src/lib/time.js';
import { ROOT, runBenchmark, scratchFolder } from './support.js';

/**
 * `npm run bench:survey-review`: the review side at 100,000 cases, in process against a real
 * SQLite file (the services the routes call, without HTTP):
 *  a) the progress counts and chart, and queue pages (first, deep keyset pages, late filter):
 *     p99 (target < 100 ms each);
 *  b) the results export of 100,000 dependents into a slow-ish sink: time (target < 5 s) and
 *     growth of resident memory (flat).
 */

const CASES = 100_000;
const RUNS = 200;
const DAY = 86_400_000;

function prepare(db: Db): number {
  const now = Date.now();
  const today = isoDateJst(now);
  const insurer = insertInsurer(db, { code: 'benchreview', name: 'ベンチ健康保険組合', call_center_phone: '', call_center_hours: '', call_center_email: '', office_phone: '', office_hours: '' }, now);
  const surveyId = Number(
    db.prepare('INSERT INTO surveys (insurer_id, title, opens_on, closes_on, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(insurer.id, 'ベンチ調査', addDays(today, -40), addDays(today, -5), now).lastInsertRowid,
  );
  const member = db.prepare(`INSERT INTO members (insurer_id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key, email, created_at, updated_at)
    VALUES (?, '500', ?, '1980-01-01', '健保 太郎', 'ケンポ タロウ', 'ケンホタロウ', 'ケンホタロウ', NULL, ?, ?)`);
  const kase = db.prepare(`INSERT INTO survey_cases (survey_id, member_id, status, submitted_at, first_submitted_at, late, receipt_number, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const dependent = db.prepare(`INSERT INTO survey_dependents (case_id, dependent_no, name, name_kana, birth_date, relationship, created_at, updated_at)
    VALUES (?, '1', '健保 花子', 'ケンポ ハナコ', '1982-01-01', '配偶者', ?, ?)`);
  const answers = db.prepare(`INSERT INTO survey_answers (dependent_id, continuation, residence, lives_in_japan, occupation, income_salary, income_pension, income_business, income_other, disabled, complete, updated_at)
    VALUES (?, 'continue', 'together', 'yes', 'employee', ?, 0, 0, 0, 'no', 1, ?)`);
  const statuses = ['not_started', 'in_progress', ...QUEUE_STATUSES];
  db.transaction(() => {
    for (let i = 0; i < CASES; i++) {
      const memberId = Number(member.run(insurer.id, String(i + 1), now, now).lastInsertRowid);
      const status = statuses[i % 10 < 1 ? 0 : i % 10 < 2 ? 1 : 2 + (i % 5)]!;
      const submitted = status === 'not_started' || status === 'in_progress' ? null : now - 40 * DAY + Math.floor((i / CASES) * 38 * DAY);
      const caseId = Number(kase.run(surveyId, memberId, status, submitted, submitted, submitted && submitted > now - 5 * DAY ? 1 : 0, submitted ? `${surveyId}-${i}` : null, now, now).lastInsertRowid);
      const dependentId = Number(dependent.run(caseId, now, now).lastInsertRowid);
      answers.run(dependentId, (i % 20) * 100_000, now);
    }
  })();
  db.exec('ANALYZE');
  return surveyId;
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

runBenchmark(async () => {
  const dir = scratchFolder('survey-review');
  const db = openDatabase(path.join(dir, 'portal.db'));
  migrate(db, path.join(ROOT, 'migrations'));
  let t = Date.now();
  const surveyId = prepare(db);
  console.log(`prepared ${CASES.toLocaleString()} cases in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const progress = createReviewProgress({ db, clock: systemClock });
  const survey = progress.visibleSurvey({ id: 1, loginId: 'b', role: 'supervisor', roleLabel: '', isSupervisor: true, readOnly: false, scope: { staffId: 1, all: true } }, surveyId)!;

  // Cursors of every page of 提出済み, walked once, so deep pages can be asked for directly.
  const cursors: ({ at: number; id: number } | null)[] = [null];
  for (let next: string | undefined = ''; next !== undefined;) {
    const page = progress.queue(survey, { status: 'submitted', lateOnly: false, symbol: '', number: '', after: cursors.at(-1)! });
    next = page.next;
    if (next) cursors.push({ at: Number(next.split('.')[0]), id: Number(next.split('.')[1]) });
  }
  const counts: number[] = [];
  const pages: number[] = [];
  const late: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    counts.push(time(() => progress.progress(survey)));
    const after = cursors[Math.floor(Math.random() * cursors.length)]!;
    pages.push(time(() => progress.queue(survey, { status: 'submitted', lateOnly: false, symbol: '', number: '', after })));
    late.push(time(() => progress.queue(survey, { status: QUEUE_STATUSES[i % QUEUE_STATUSES.length]!, lateOnly: true, symbol: '', number: '', after: null })));
  }
  console.log(`progress counts + chart: p99 ${p99(counts).toFixed(1)} ms (target < 100 ms)`);
  console.log(`queue page (${PAGE_SIZE} rows, any of ${cursors.length} pages): p99 ${p99(pages).toFixed(1)} ms (target < 100 ms)`);
  console.log(`queue page, late only, each status: p99 ${p99(late).toFixed(1)} ms (target < 100 ms)`);

  // The export into a sink that takes a moment per chunk (a network client), so backpressure is real.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      peak = Math.max(peak, process.memoryUsage().rss);
      setImmediate(cb);
    },
  });
  t = Date.now();
  const rows = await createSurveyExport({ db }).results(survey, sink, 'utf8');
  const seconds = (Date.now() - t) / 1000;
  console.log(`results export: ${rows.toLocaleString()} rows, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${seconds.toFixed(2)} s (target < 5 s); RSS growth ${((peak - rssBefore) / 1024 / 1024).toFixed(1)} MiB`);
  db.close();
});

import http from 'node:http';
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { addDays } from '../src/features/survey/dates.js';
import { insertInsurer } from '../src/features/registry/insurers.js';
import { insertMember } from '../src/features/registry/members.js';
import { hashPassword } from '../src/lib/passwords.js';
import { isoDateJst } from '../src/lib/time.js';
import { CLI, portalEnv, ROOT, runBenchmark, runNode, samplePeakMemory, scratchFolder, SERVER, SERVER_MEMORY_ENV, SERVER_NODE_ARGS, startServer } from './support.js';

/**
 * `npm run bench:survey`: the survey's two numbers.
 *  a) 20 concurrent 10 MB uploads to the real server (dist/server.js): growth of its resident
 *     memory (target < 60 MB) and throughput on loopback (target ≥ 50 MB/s).
 *  b) reminders for 100,000 cases queued into the outbox (target < 30 s).
 */

const UPLOADS = 20;
const FILE_BYTES = 10 * 1024 * 1024 - 4096; // just under the 10 MB limit
const CASES = 100_000;
const LOGIN = { loginId: 'benchsurvey01', password: 'Bench#2026pw' };

function addInsurer(db: Db, now: number) {
  return insertInsurer(db, { code: 'benchsurvey', name: 'ベンチ健康保険組合', call_center_phone: '0120-000-000', call_center_hours: '平日', call_center_email: '', office_phone: '', office_hours: '' }, now);
}

function addSurvey(db: Db, insurerId: number, today: string, now: number): number {
  return Number(
    db.prepare('INSERT INTO surveys (insurer_id, title, opens_on, closes_on, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(insurerId, 'ベンチ調査', addDays(today, -10), addDays(today, 5), now).lastInsertRowid,
  );
}

/** One member with an account, a case and a dependent: what the uploads go to. */
async function prepareUploadDatabase(dataDir: string): Promise<number> {
  const db = openDatabase(path.join(dataDir, 'portal.db'));
  migrate(db, path.join(ROOT, 'migrations'));
  const now = Date.now();
  const insurer = addInsurer(db, now);
  const member = insertMember(db, { insurerId: insurer.id, symbol: '1', number: '1', birthDate: '1980-01-01', name: '健保 太郎', nameKana: 'ケンポ タロウ' }, now);
  db.prepare(`INSERT INTO accounts (member_id, login_id, password_hash, email, status, created_at) VALUES (?, ?, ?, ?, 'active', ?)`)
    .run(member.id, LOGIN.loginId, await hashPassword(LOGIN.password), 'bench@example.jp', now);
  const surveyId = addSurvey(db, insurer.id, isoDateJst(now), now);
  const caseId = Number(db.prepare('INSERT INTO survey_cases (survey_id, member_id, created_at, updated_at) VALUES (?, ?, ?, ?)').run(surveyId, member.id, now, now).lastInsertRowid);
  const dependentId = Number(
    db.prepare(`INSERT INTO survey_dependents (case_id, dependent_no, name, name_kana, birth_date, relationship, created_at, updated_at) VALUES (?, '1', '健保 花子', 'ケンポ ハナコ', '1982-01-01', '配偶者', ?, ?)`)
      .run(caseId, now, now).lastInsertRowid,
  );
  db.close();
  return dependentId;
}

function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const [name, value] = pair!.split('=');
    jar.set(name!, value!);
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const tokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function signIn(url: string): Promise<{ cookie: string; token: string }> {
  const jar = new Map<string, string>();
  const loginPage = await fetch(`${url}/portal/`);
  cookiesOf(loginPage, jar);
  const body = new URLSearchParams({ _csrf: tokenIn(await loginPage.text()), ...LOGIN });
  const login = await fetch(`${url}/portal/login`, { method: 'POST', body, headers: { cookie: cookieHeader(jar) }, redirect: 'manual' });
  cookiesOf(login, jar);
  if (login.status !== 303) throw new Error(`login answered ${login.status}`);
  const docs = await fetch(`${url}/portal/survey/documents`, { headers: { cookie: cookieHeader(jar) }, redirect: 'manual' });
  cookiesOf(docs, jar);
  if (docs.status !== 200) throw new Error(`documents page answered ${docs.status}`);
  return { cookie: cookieHeader(jar), token: tokenIn(await docs.text()) };
}

/** One multipart upload, written in 64 KiB pieces as a browser sends it. */
function uploadOnce(url: string, auth: { cookie: string; token: string }, slot: string, content: Buffer): Promise<number> {
  const boundary = '----bench-survey-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="slot"\r\n\r\n${slot}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const target = new URL(`/portal/survey/documents?_csrf=${encodeURIComponent(auth.token)}`, url);
  return new Promise((resolve, reject) => {
    const req = http.request(target, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + content.length + tail.length },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.write(head);
    let offset = 0;
    const writeMore = () => {
      while (offset < content.length) {
        const piece = content.subarray(offset, offset + 64 * 1024);
        offset += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end(tail);
    };
    writeMore();
  });
}

async function uploads(): Promise<void> {
  const dataDir = scratchFolder('survey-upload');
  const dependentId = await prepareUploadDatabase(dataDir);
  // Pinned to its core like the HTTP benchmark's server; the load below runs on the other.
  const server = await startServer({
    script: SERVER,
    env: portalEnv(dataDir, { ...SERVER_MEMORY_ENV, SMTP_URL: 'smtp://127.0.0.1:9' }),
    probePath: '/healthz',
    nodeArgs: SERVER_NODE_ARGS,
    pinned: true,
  });
  try {
    const auth = await signIn(server.url);
    const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(FILE_BYTES - 9, 0x20)]);
    // Warm up (first upload loads busboy, file-type, the store), then measure from a settled RSS.
    await uploadOnce(server.url, auth, `${dependentId}:payslips`, content.subarray(0, 1024 * 1024));
    const memory = samplePeakMemory(server.pid, 5);
    await new Promise((r) => setTimeout(r, 300));
    const before = memory.current();
    let peak = before;
    const tracker = setInterval(() => (peak = Math.max(peak, memory.current())), 5);
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: UPLOADS }, () => uploadOnce(server.url, auth, `${dependentId}:payslips`, content)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(tracker);
    memory.stop();
    const ok = statuses.filter((s) => s === 303).length;
    const mb = (UPLOADS * content.length) / 1024 / 1024;
    console.log(`a) ${UPLOADS} concurrent uploads of ${(content.length / 1024 / 1024).toFixed(2)} MiB: ${ok}/${UPLOADS} stored (303), ${seconds.toFixed(2)} s`);
    console.log(`   throughput ${(mb / seconds).toFixed(1)} MiB/s (target ≥ 50 MB/s)`);
    console.log(`   server RSS ${before.toFixed(1)} MiB before, peak ${peak.toFixed(1)} MiB: growth ${(peak - before).toFixed(1)} MiB (target < 60 MB)`);
    if (ok !== UPLOADS) console.log(`   statuses: ${statuses.join(' ')}`);
  } finally {
    await server.stop();
  }
}

/** The reminder run as cron runs it: `portal survey remind` (dist/cli/main.js) against 100,000 cases. */
async function reminders(): Promise<void> {
  const dataDir = scratchFolder('survey-remind');
  const db = openDatabase(path.join(dataDir, 'portal.db'));
  migrate(db, path.join(ROOT, 'migrations'));
  const now = Date.now();
  const today = isoDateJst(now);
  const insurer = addInsurer(db, now);
  const surveyId = addSurvey(db, insurer.id, today, now);
  const setupStart = performance.now();
  db.transaction(() => {
    const member = db.prepare(`INSERT INTO members (insurer_id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key, email, created_at, updated_at)
      VALUES (?, '1', ?, '1980-01-01', '健保 太郎', 'ケンポ タロウ', 'ケンホタロウ', 'ケンホタロウ', ?, ?, ?)`);
    const kase = db.prepare('INSERT INTO survey_cases (survey_id, member_id, created_at, updated_at) VALUES (?, ?, ?, ?)');
    const dependent = db.prepare(`INSERT INTO survey_dependents (case_id, dependent_no, name, name_kana, birth_date, relationship, created_at, updated_at) VALUES (?, '1', '健保 花子', 'ケンポ ハナコ', '1982-01-01', '配偶者', ?, ?)`);
    for (let i = 1; i <= CASES; i++) {
      const memberId = Number(member.run(insurer.id, String(i), `m${i}@example.jp`, now, now).lastInsertRowid);
      const caseId = Number(kase.run(surveyId, memberId, now, now).lastInsertRowid);
      dependent.run(caseId, now, now);
    }
  })();
  // The society opened the survey weeks ago: every invitation is already recorded.
  db.prepare(`INSERT INTO survey_notifications (case_id, kind, outbox_id, at) SELECT id, 'invitation', NULL, ? FROM survey_cases`).run(now);
  db.close();
  console.log(`b) ${CASES.toLocaleString()} cases prepared in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; the deadline is in 5 days`);
  const env = portalEnv(dataDir);
  const first = await runNode(CLI, ['survey', 'remind', '--survey', String(surveyId)], env);
  if (first.code !== 0) throw new Error(first.stderr);
  console.log(`   portal survey remind: ${first.stdout.trim()}`);
  console.log(`   ${(first.wallMs / 1000).toFixed(1)} s including the process start (target < 30 s)`);
  const second = await runNode(CLI, ['survey', 'remind', '--survey', String(surveyId)], env);
  console.log(`   run again: ${second.stdout.trim()} in ${(second.wallMs / 1000).toFixed(2)} s`);
}

// `npm run bench:survey -- uploads` or `-- reminders` runs one part.
const only = process.argv[2];
runBenchmark(async () => {
  if (only !== 'reminders') await uploads();
  if (only !== 'uploads') await reminders();
});

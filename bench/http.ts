import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argon2HashMs, createLoginAccount, identityFields, LOGIN, randomSignupMember } from './accounts.js';
import { fetchForms, fmt, get, getForm, postFetchedForm, postForm, runLoad, step, type LoadResult, type StepStats } from './load.js';
import { envNumber, preparePortal, runBenchmark, scratchFolder, SERVER, serverEnv, startServer, table, verdict } from './support.js';

/**
 * `npm run bench`: the real server (dist/server.js, production mode: see serverEnv) on a
 * scratch data folder holding 1,000,000 generated members, and a bare Express "hello" server,
 * each in its own process, driven by autocannon from this one. Targets: issues 3 and 4 "Speed".
 *
 * BENCH_SECONDS (10 per scenario), BENCH_ROWS (1,000,000) and BENCH_CONNECTIONS (50) change
 * the run; a quick check: BENCH_ROWS=20000 BENCH_SECONDS=3 npm run bench.
 */

const SECONDS = envNumber('BENCH_SECONDS', 10);
const ROWS = envNumber('BENCH_ROWS', 1_000_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
/** Enough logins in flight to keep every argon2 thread busy (libuv's pool has 4). */
const LOGIN_CONNECTIONS = envNumber('BENCH_LOGIN_CONNECTIONS', 16);
/** Forms fetched for c') per second of the window: above any identity-check rate seen here. */
const FORMS_PER_SECOND = envNumber('BENCH_FORMS_PER_SECOND', 2_500);
const HELLO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hello-server.js');

type Row = (string | number)[];

runBenchmark(async () => {
  const cores = os.cpus().length;
  console.log(`bench — ${ROWS.toLocaleString('en')} members, ${SECONDS} s per scenario, ${CONNECTIONS} connections, ${cores} cores, node ${process.version}`);
  const folder = scratchFolder('http');
  const { dataDir, importRun } = await preparePortal(folder, ROWS);
  console.log(`registry loaded with portal import-members in ${(importRun.wallMs / 1000).toFixed(1)} s`);
  await createLoginAccount(dataDir);
  const hashMs = await argon2HashMs();
  const ceiling = cores / (hashMs / 1000);
  console.log(`argon2id (m=19 MiB, t=2, p=1): ${hashMs.toFixed(1)} ms a hash → ceiling ${cores} cores ÷ ${hashMs.toFixed(1)} ms = ${ceiling.toFixed(1)} logins/s`);

  const hello = await startServer(HELLO, { ...process.env, NODE_ENV: 'production' }, '/');
  const portal = await startServer(SERVER, serverEnv(dataDir), '/healthz');
  const rows: Row[] = [];
  const verdicts: boolean[] = [];
  const judge = (ok: boolean) => {
    verdicts.push(ok);
    return verdict(ok);
  };

  try {
    const load = async (label: string, options: Parameters<typeof runLoad>[0]) => {
      process.stdout.write(`  ${label}… `);
      await runLoad({ ...options, seconds: Math.min(2, options.seconds) }); // warm-up (JIT, caches)
      const result = await runLoad(options);
      console.log('done');
      return result;
    };

    // a) baseline
    const a = await load('a) hello', { url: hello.url, connections: CONNECTIONS, seconds: SECONDS, requests: [{ method: 'GET', path: '/' }] });
    const baseline = only(a).perSecond;
    rows.push(row('a) bare Express GET / (baseline)', only(a), a, 'baseline', ''));

    // b) the login page
    const b = await load('b) GET /portal/', { url: portal.url, connections: CONNECTIONS, seconds: SECONDS, requests: [get('/portal/')] });
    const bRate = only(b).perSecond;
    rows.push(row('b) GET /portal/', only(b), b, `≥ 60 % of a (${pct(bRate, baseline)})`, judge(bRate >= 0.6 * baseline)));

    // c) identity check: GET the form (cookie + token), POST a matching member; the POST is the figure
    const c = await load('c) POST /portal/signup', {
      url: portal.url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [step('get', getForm('/portal/signup')), step('post', postForm('/portal/signup', () => identityFields(randomSignupMember(ROWS))))],
    });
    const cPost = c.steps.post ?? empty();
    rows.push(row('c) GET /portal/signup (form, token)', c.steps.get ?? empty(), c, '', ''));
    rows.push(
      row(
        'c) POST /portal/signup (identity, match)',
        cPost,
        c,
        `≥ 40 % of a (${pct(cPost.perSecond, baseline)}), p99 < 50 ms`,
        judge(cPost.perSecond >= 0.4 * baseline && cPost.p99 < 50 && cPost.bad === 0 && (cPost.statuses[303] ?? 0) === cPost.count),
      ),
    );

    // c') the identity check alone: every POST with a form of its own, all fetched before the
    //     window, as members who opened the form a while ago (a form serves one POST: the check
    //     draws a new CSRF nonce). More forms than the POSTs can use, so none is used twice
    //     (warm-up included).
    process.stdout.write("  c') fetching forms… ");
    const forms = await fetchForms(portal.url, '/portal/signup', Math.round(FORMS_PER_SECOND * SECONDS));
    const c2 = await load("c') POST /portal/signup alone", {
      url: portal.url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [postFetchedForm('/portal/signup', forms, () => identityFields(randomSignupMember(ROWS)))],
    });
    const c2Post = only(c2);
    rows.push(
      row(
        "c') POST /portal/signup alone (forms fetched before)",
        c2Post,
        c2,
        `≥ 40 % of a (${pct(c2Post.perSecond, baseline)}), p99 < 50 ms`,
        judge(c2Post.perSecond >= 0.4 * baseline && c2Post.p99 < 50 && c2Post.bad === 0 && (c2Post.statuses[303] ?? 0) === c2Post.count),
      ),
    );

    // d) login at full load (fresh cookie + token from GET /portal/ each time), and meanwhile
    //    GET /portal/ at a low rate from a second autocannon
    process.stdout.write('  d) POST /portal/login with GET /portal/ alongside… ');
    const [d, dSide] = await Promise.all([
      runLoad({
        url: portal.url,
        connections: LOGIN_CONNECTIONS,
        seconds: SECONDS,
        requests: [step('get', getForm('/portal/')), step('post', postForm('/portal/login', () => LOGIN))],
      }),
      runLoad({ url: portal.url, connections: 2, seconds: SECONDS, rate: 20, requests: [get('/portal/')] }),
    ]);
    console.log('done');
    const dPost = d.steps.post ?? empty();
    rows.push(
      row(
        `d) POST /portal/login (${LOGIN_CONNECTIONS} conns)`,
        dPost,
        d,
        `≥ 80 % of argon2 ceiling ${ceiling.toFixed(1)}/s (${pct(dPost.perSecond, ceiling)})`,
        judge(dPost.perSecond >= 0.8 * ceiling && dPost.bad === 0 && (dPost.statuses[303] ?? 0) === dPost.count),
      ),
    );
    const side = only(dSide);
    rows.push(row('d) GET /portal/ during login load', side, dSide, 'p99 < 100 ms', judge(side.p99 < 100 && side.bad === 0 && dSide.errors === 0)));
  } finally {
    await Promise.all([portal.stop(), hello.stop()]);
  }

  console.log('');
  console.log(table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx/3xx', 'target', 'result'], rows));
  console.log('');
  console.log("c) and d) loop GET form → POST; only the POSTs are counted in their rows (the GETs use the server too). c') posts only.");
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine lowers the figures)`);
  console.log(verdicts.every(Boolean) ? 'PASS' : 'FAIL: a target was missed');
});

function only(result: LoadResult): StepStats {
  return result.steps.request ?? empty();
}

function empty(): StepStats {
  return { count: 0, perSecond: 0, p50: NaN, p99: NaN, bad: 0, statuses: {} };
}

function row(name: string, s: StepStats, result: LoadResult, target: string, outcome: string): Row {
  return [name, fmt(s.perSecond), fmt(s.p50), fmt(s.p99), result.errors, s.bad, target, outcome];
}

function pct(value: number, of: number): string {
  return `${Math.round((100 * value) / of)} %`;
}

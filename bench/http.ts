import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { argon2HashMs, createLoginAccount, LOGIN } from './accounts.js';
import { fmt, get, getForm, postForm, PROXY_HEADERS, runLoad, step, type LoadResult, type StepStats } from './load.js';
import { identityPost, measure, type Measured } from './scenarios.js';
import {
  BENCH_DIR, envNumber, type RunningServer, pinning, pinThisProcess, preparePortal, runBenchmark, scratchFolder, startPortal, startServer, table, verdict,
} from './support.js';

/**
 * `npm run bench`: the real server (dist/server.js, production mode, started as `npm start`
 * starts it) on a scratch data folder holding 1,000,000 generated members, beside two
 * baselines in processes of their own: bare Express, and the floor of the fixed stack
 * (Express + helmet serving the same page with one cookie, floor-server.ts). Each server in
 * turn runs alone on one core; autocannon drives it from this process, on the other core.
 * Every target is a ratio to a baseline measured in the same run. bench/README.md has the
 * method and the figures.
 *
 * BENCH_SECONDS (10 per scenario), BENCH_ROWS (1,000,000), BENCH_CONNECTIONS (50) and
 * BENCH_LOGIN_CONNECTIONS (16) change the run; a quick check:
 * BENCH_ROWS=100000 BENCH_SECONDS=5 npm run bench.
 */

const SECONDS = envNumber('BENCH_SECONDS', 10);
const ROWS = envNumber('BENCH_ROWS', 1_000_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
/** Enough logins in flight to keep the server's argon2 threads busy. */
const LOGIN_CONNECTIONS = envNumber('BENCH_LOGIN_CONNECTIONS', 16);
const HELLO = path.join(BENCH_DIR, 'hello-server.js');
const FLOOR = path.join(BENCH_DIR, 'floor-server.js');

type Row = (string | number)[];

runBenchmark(async () => {
  const pin = pinning();
  console.log(`bench — ${ROWS.toLocaleString('en')} members, ${SECONDS} s per scenario, ${CONNECTIONS} connections, node ${process.version}`);
  console.log(pin.note);
  const folder = scratchFolder('http');
  const { dataDir, importRun } = await preparePortal(folder, ROWS);
  console.log(`registry loaded with portal import-members in ${(importRun.wallMs / 1000).toFixed(1)} s`);
  await createLoginAccount(dataDir);
  // Pinned once the data is ready (the import uses both cores); the servers start after this.
  if (pin.pinned) pinThisProcess();

  const rows: Row[] = [];
  const verdicts: boolean[] = [];
  const judge = (ok: boolean) => {
    verdicts.push(ok);
    return verdict(ok);
  };
  const load = async (label: string, run: () => Promise<Measured>) => {
    process.stdout.write(`  ${label}… `);
    const result = await run();
    console.log('done');
    return result;
  };
  const options = { connections: CONNECTIONS, seconds: SECONDS };

  // The portal starts first (the floor serves the very page it answers) and waits idle while
  // the baselines run, so that each of them is measured just before the figures set against it.
  const portal = await startPortal(dataDir, pin.pinned);
  let page: string;
  let a: Measured, b: Measured, c: Measured, d: Measured, e: Measured, eSide: LoadResult, hashMs: number;
  try {
    page = await (await fetch(`${portal.url}/portal/`, { headers: PROXY_HEADERS })).text();
    const pageFile = path.join(folder, 'portal-page.html');
    fs.writeFileSync(pageFile, page);
    a = await alone(HELLO, pin.pinned, { NODE_ENV: 'production' }, (server) => load('a) bare Express', () => measure(server, { ...options, requests: [get('/')] })));
    b = await alone(FLOOR, pin.pinned, { NODE_ENV: 'production', FLOOR_PAGE: pageFile }, (server) =>
      load('b) floor', () => measure(server, { ...options, requests: [get('/')] })),
    );
    c = await load('c) GET /portal/', () => measure(portal, { ...options, requests: [get('/portal/')] }));
    d = await load('d) POST /portal/signup', () => identityPost(portal, { ...options, rows: ROWS }));
    // The ceiling: one core computes 1000 / (ms of a hash) hashes a second (measured here, on the other core).
    hashMs = await argon2HashMs();
    process.stdout.write(`  e) POST /portal/login with GET /portal/ alongside… `);
    [e, eSide] = await Promise.all([
      measure(portal, {
        connections: LOGIN_CONNECTIONS,
        seconds: SECONDS,
        warmUp: false,
        requests: [step('get', getForm('/portal/')), step('post', postForm('/portal/login', () => LOGIN))],
      }),
      runLoad({ url: portal.url, connections: 2, seconds: SECONDS, rate: 20, requests: [get('/portal/')] }),
    ]);
    console.log('done');
  } finally {
    await portal.stop();
  }

  const hello = only(a).perSecond;
  const floor = only(b).perSecond;
  const ceiling = (pin.pinned ? 1 : os.availableParallelism()) * (1000 / hashMs);
  const bytes = Buffer.byteLength(page);
  rows.push(row('a) bare Express GET / ("hello")', a, only(a), 'baseline', ''));
  rows.push(row(`b) floor: Express + helmet, ${bytes.toLocaleString('en')} B page, 1 cookie`, b, only(b), `baseline (${pct(floor, hello)} of a; CPU ${cpuPct(b, a)})`, ''));
  const cGet = only(c);
  rows.push(row('c) GET /portal/', c, cGet, `≥ 75 % of b (${pct(cGet.perSecond, floor)}; CPU ${cpuPct(c, b)})`, judge(cGet.perSecond >= 0.75 * floor && clean(c, cGet, 200))));
  const dPost = only(d);
  rows.push(
    row('d) POST /portal/signup (identity check, match)', d, dPost, `≥ 25 % of b (${pct(dPost.perSecond, floor)}; CPU ${cpuPct(d, b)}), p99 < 50 ms`,
      judge(dPost.perSecond >= 0.25 * floor && dPost.p99 < 50 && clean(d, dPost, 303))),
  );
  const ePost = e.result.steps.post ?? empty();
  rows.push(
    row(`e) POST /portal/login (${LOGIN_CONNECTIONS} conns, after its GET)`, e, ePost, `≥ 80 % of argon2 ceiling ${ceiling.toFixed(1)}/s (${pct(ePost.perSecond, ceiling)})`,
      judge(ePost.perSecond >= 0.8 * ceiling && clean(e, ePost, 303))),
  );
  const side = eSide.steps.request ?? empty();
  rows.push(['e) GET /portal/ during the login load (20/s)', fmt(side.perSecond), fmt(side.p50), fmt(side.p99), '', '', eSide.errors, side.bad, 'p99 < 100 ms', judge(side.p99 < 100 && side.bad === 0 && eSide.errors === 0)]);

  console.log('');
  console.log(table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server µs/req', 'server core', 'errors', 'non-2xx/3xx', 'target', 'result'], rows));
  console.log('');
  console.log(`${pin.note}; each server alone on its core while measured. "server µs/req": the server's CPU time (every thread) ÷ requests answered.`);
  console.log(`"server core": its CPU time ÷ the window (100 % = its core saturated); "CPU x %": the ratio of µs/req (what each server could serve with its core to itself). argon2id (m=19 MiB, t=2, p=1): ${hashMs.toFixed(1)} ms a hash, measured in this run.`);
  console.log('d) posts forms fetched before its window; e) counts the POSTs, each after the GET that gives its cookie and token (the GETs are in µs/req).');
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine lowers the figures)`);
  console.log(verdicts.every(Boolean) ? 'PASS' : 'FAIL: a target was missed');
});

/** Starts a baseline server alone on the server core, runs `fn` against it, stops it. */
async function alone<T>(script: string, pinned: boolean, env: Record<string, string>, fn: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ script, env: { ...process.env, ...env }, probePath: '/', pinned });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

function only(m: Measured): StepStats {
  return m.result.steps.request ?? empty();
}

function empty(): StepStats {
  return { count: 0, perSecond: 0, p50: NaN, p99: NaN, bad: 0, statuses: {} };
}

/** No connection error, and every answer the expected status. */
function clean(m: Measured, s: StepStats, status: number): boolean {
  return m.result.errors === 0 && s.bad === 0 && (s.statuses[status] ?? 0) === s.count;
}

function row(name: string, m: Measured, s: StepStats, target: string, outcome: string): Row {
  return [name, fmt(s.perSecond), fmt(s.p50), fmt(s.p99), fmt(m.cpuMicrosPerRequest), `${Math.round(100 * m.serverBusy)} %`, m.result.errors, s.bad, target, outcome];
}

/** The same ratio by the server's CPU time a request: what the server could serve with its core to itself. */
function cpuPct(m: Measured, of: Measured): string {
  return pct(of.cpuMicrosPerRequest, m.cpuMicrosPerRequest);
}

function pct(value: number, of: number): string {
  return `${Math.round((100 * value) / of)} %`;
}

import os from 'node:os';
import { createLoginAccount, identityFields, LOGIN, randomSignupMember } from './accounts.js';
import { fmt, get, getForm, postForm, PROXY_HEADERS, runLoad, step, withSetCookies, type LoadResult } from './load.js';
import {
  envNumber, preparePortal, runBenchmark, samplePeakMemory, scratchFolder, startPortal, table, verdict,
} from './support.js';

/**
 * `npm run bench:soak` (issue 7): a mixed member load on the real server holding 1,000,000
 * members — identity checks (signup step 1), logins, and my page with a signed-in cookie —
 * for 60 s at 100 connections. Targets: no errors, peak server memory < 300 MB.
 * SOAK_SECONDS, SOAK_CONNECTIONS and BENCH_ROWS change the run (a smoke test:
 * SOAK_SECONDS=5 SOAK_CONNECTIONS=20 BENCH_ROWS=20000 npm run bench:soak).
 */

const SECONDS = envNumber('SOAK_SECONDS', 60);
const CONNECTIONS = envNumber('SOAK_CONNECTIONS', 100);
const ROWS = envNumber('BENCH_ROWS', 1_000_000);
const TARGET_PEAK_MB = 300;

runBenchmark(async () => {
  console.log(`bench:soak — ${SECONDS} s, ${CONNECTIONS} connections, ${ROWS.toLocaleString('en')} members, ${os.cpus().length} cores`);
  const folder = scratchFolder('soak');
  const { dataDir } = await preparePortal(folder, ROWS);
  await createLoginAccount(dataDir);
  // Unpinned: the soak measures memory and errors under a mixed load, as production runs.
  const portal = await startPortal(dataDir, false);
  const memory = samplePeakMemory(portal.pid, 200);

  // Connections per flow: logins are argon2-bound, a few keep the hashing threads busy.
  const loginConnections = Math.max(1, Math.round(CONNECTIONS * 0.1));
  const signupConnections = Math.max(1, Math.round(CONNECTIONS * 0.45));
  const mypageConnections = Math.max(1, CONNECTIONS - loginConnections - signupConnections);
  let results: [string, LoadResult][];
  try {
    const cookie = await signIn(portal.url);
    process.stdout.write(`running ${SECONDS} s (signup ${signupConnections}, login ${loginConnections}, my page ${mypageConnections} connections)… `);
    const [signup, login, mypage] = await Promise.all([
      runLoad({
        url: portal.url, connections: signupConnections, seconds: SECONDS,
        requests: [step('signup form', getForm('/portal/signup')), step('signup identity POST', postForm('/portal/signup', () => identityFields(randomSignupMember(ROWS))))],
      }),
      runLoad({
        url: portal.url, connections: loginConnections, seconds: SECONDS,
        requests: [step('login form', getForm('/portal/')), step('login POST', postForm('/portal/login', () => LOGIN))],
      }),
      runLoad({ url: portal.url, connections: mypageConnections, seconds: SECONDS, requests: [step('my page', get('/portal/mypage', cookie))] }),
    ]);
    console.log('done');
    results = [['signup', signup], ['login', login], ['my page', mypage]];
  } finally {
    await portal.stop();
  }
  const peak = memory.stop();
  const peakMB = (peak * 1024 * 1024) / 1e6;

  const rows: (string | number)[][] = [];
  let errors = 0;
  for (const [, result] of results) {
    errors += result.errors;
    for (const [name, s] of Object.entries(result.steps)) {
      errors += s.bad;
      rows.push([name, s.count, fmt(s.perSecond), fmt(s.p50), fmt(s.p99), s.bad, statusList(s.statuses)]);
    }
    rows.push(['  (connection errors, timeouts)', result.errors, '', '', '', '', '']);
  }
  const p99 = Math.max(...results.flatMap(([, r]) => Object.values(r.steps).map((s) => s.p99)));

  console.log('');
  console.log(table(['request', 'count', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/3xx', 'statuses'], rows));
  console.log('');
  console.log(table(['figure', 'value', 'target', 'result'], [
    ['errors (connection errors, timeouts, non-2xx/3xx)', errors, '0', verdict(errors === 0)],
    ['p99 latency, worst request kind (ms)', fmt(p99), '(reported)', ''],
    ['peak server RSS (MB = 10^6 bytes; MiB in brackets)', `${peakMB.toFixed(0)} (${peak.toFixed(0)} MiB)`, `< ${TARGET_PEAK_MB} MB`, verdict(peakMB < TARGET_PEAK_MB)],
  ]));
  console.log('');
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(errors === 0 && peakMB < TARGET_PEAK_MB ? 'PASS' : 'FAIL: a target was missed');
});

/** Logs the benchmark account in once; returns its session cookie for the my-page requests. */
async function signIn(url: string): Promise<string> {
  const form = await fetch(`${url}/portal/`, { headers: PROXY_HEADERS });
  const anonymous = withSetCookies(undefined, { 'set-cookie': form.headers.getSetCookie() });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!anonymous || !csrf) throw new Error('GET /portal/ gave no CSRF cookie or token');
  const login = await fetch(`${url}/portal/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...LOGIN, _csrf: csrf }),
  });
  const cookie = withSetCookies(anonymous, { 'set-cookie': login.headers.getSetCookie() }) ?? '';
  if (login.status !== 303 || !/(^|; )(__Host-portal|portal\.sid)=/.test(cookie)) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const mypage = await fetch(`${url}/portal/mypage`, { headers: { ...PROXY_HEADERS, cookie }, redirect: 'manual' });
  if (mypage.status !== 200) throw new Error(`my page answered ${mypage.status} to the signed-in cookie`);
  return cookie;
}

function statusList(statuses: Record<number, number>): string {
  return Object.entries(statuses).map(([code, n]) => `${code}×${n}`).join(' ');
}

import fs from 'node:fs';
import path from 'node:path';
import { selfTimes } from './cpu-profile.js';
import { fmt, get, PROXY_HEADERS } from './load.js';
import { identityPost, measure, type Measured } from './scenarios.js';
import {
  BENCH_DIR, envNumber, pinning, pinThisProcess, preparePortal, runBenchmark, scratchFolder, SERVER_NODE_ARGS, startPortal, startServer, table,
  type RunningServer,
} from './support.js';

const FLOOR = path.join(BENCH_DIR, 'floor-server.js');

/**
 * `npm run bench:profile -- portal|identity|floor`: the server pinned as in `npm run bench`, under
 * `node --cpu-prof`, driven by one scenario (`GET /portal/`, the identity check POST, or the floor of
 * `npm run bench` serving the same page);
 * prints the server's self time by area and by function, in µs per request, counting only
 * the measured window. BENCH_PROFILE_KEEP=file keeps the .cpuprofile (for Chrome DevTools).
 */

type Options = { connections: number; seconds: number; rows: number };
const SCENARIOS: Record<string, (server: RunningServer, o: Options) => Promise<Measured>> = {
  portal: (server, o) => measure(server, { ...o, requests: [get('/portal/')] }),
  identity: (server, o) => identityPost(server, o),
  floor: (server, o) => measure(server, { ...o, requests: [get('/')] }),
};

const SECONDS = envNumber('BENCH_SECONDS', 10);
const ROWS = envNumber('BENCH_ROWS', 1_000_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const TOP = envNumber('BENCH_PROFILE_TOP', 30);

runBenchmark(async () => {
  const name = process.argv[2] ?? '';
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`usage: npm run bench:profile -- ${Object.keys(SCENARIOS).join('|')}`);
  const pin = pinning();
  console.log(`bench:profile ${name} — ${ROWS.toLocaleString('en')} members, ${SECONDS} s, ${CONNECTIONS} connections; ${pin.note}`);
  const folder = scratchFolder('profile');
  const { dataDir } = await preparePortal(folder, ROWS);
  if (pin.pinned) pinThisProcess();
  const profileDir = path.join(folder, 'profile');
  const profiling = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  let server: RunningServer;
  if (name === 'floor') {
    const portal = await startPortal(dataDir, pin.pinned);
    const page = path.join(folder, 'portal-page.html');
    try {
      fs.writeFileSync(page, await (await fetch(`${portal.url}/portal/`, { headers: PROXY_HEADERS })).text());
    } finally {
      await portal.stop();
    }
    server = await startServer({ script: FLOOR, env: { ...process.env, NODE_ENV: 'production', FLOOR_PAGE: page }, probePath: '/', nodeArgs: [...SERVER_NODE_ARGS, ...profiling], pinned: pin.pinned });
  } else {
    server = await startPortal(dataDir, pin.pinned, profiling);
  }
  let measured: Measured;
  try {
    measured = await scenario(server, { connections: CONNECTIONS, seconds: SECONDS, rows: ROWS });
  } finally {
    await server.stop(); // the profile is written as the server exits
  }
  const [file] = fs.readdirSync(profileDir).map((f) => path.join(profileDir, f));
  if (!file) throw new Error('the server wrote no CPU profile');
  if (process.env.BENCH_PROFILE_KEEP) fs.copyFileSync(file, process.env.BENCH_PROFILE_KEEP);

  const requests = Object.values(measured.result.steps).reduce((n, s) => n + s.count, 0);
  const { total, functions, areas, ours } = selfTimes(file, measured.window);
  const perRequest = (micros: number) => fmt(micros / requests);
  const share = (micros: number) => `${((100 * micros) / total).toFixed(1)} %`;
  console.log('');
  console.log(`${requests.toLocaleString('en')} requests in the window, ${fmt(requests / measured.result.seconds)}/s; server CPU ${fmt(measured.cpuMicrosPerRequest)} µs a request (from /proc), profiled ${perRequest(total)} µs (idle left out)`);
  console.log('');
  console.log(table(['area', 'µs/req', 'share'], areas.map((a) => [a.name, perRequest(a.micros), share(a.micros)])));
  console.log('');
  console.log(table(['our function (with what it calls)', 'µs/req', 'share'], ours.slice(0, TOP).map((f) => [f.name, perRequest(f.micros), share(f.micros)])));
  console.log('');
  console.log(table(['function (self time)', 'area', 'µs/req', 'share'], functions.slice(0, TOP).map((f) => [f.name, f.area, perRequest(f.micros), share(f.micros)])));
});

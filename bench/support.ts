import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMembersCsv } from './generate-members.js';

/**
 * What the benchmarks share: a scratch folder and child processes that are always cleaned up
 * (normal end, error, Ctrl-C), the real CLI and server from dist/, and the peak memory of a
 * child read from /proc.
 */

/** The repository root (this file runs from dist-bench/bench/). */
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');
export const SERVER = path.join(ROOT, 'dist/server.js');
export const INSURER_CODE = 'benchkenpo';

/**
 * The server runs as `npm start` runs it (package.json, README "Running in production"):
 * libuv's pool has one thread per core (at least 2), so no more 19 MiB argon2 hashes run at
 * once than the cores can compute; glibc keeps at most 2 malloc arenas (else each thread that
 * ran a hash keeps its own); V8's young generation is capped at 8 MiB semi-spaces.
 */
export const SERVER_MEMORY_ENV = { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: String(Math.max(2, os.availableParallelism())) };
export const SERVER_NODE_ARGS = ['--max-semi-space-size=8'];

const children = new Set<ChildProcess>();
const folders = new Set<string>();

function cleanUp(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping and cleaning up`);
    cleanUp();
    process.exit(130);
  });
}

/** A scratch folder removed when the benchmark ends, however it ends. */
export function scratchFolder(name: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `portal-bench-${name}-`));
  folders.add(folder);
  return folder;
}

/** Runs `main` and exits: 0, or 1 with the error when something broke (not when a target is missed). */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}

/** Environment of the portal CLI working on `dataDir` (development mode, quiet logs). */
export function portalEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
}

/**
 * Environment of the server under load: production mode, because development re-reads every
 * template on every request (nunjucks noCache) and would measure that instead. It sits behind
 * an imaginary TLS proxy (TRUST_PROXY=loopback, requests carry X-Forwarded-Proto: https, so
 * its Secure cookies are set). No mail is sent by the measured flows; SMTP_URL points nowhere.
 */
export function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  return portalEnv(dataDir, {
    ...SERVER_MEMORY_ENV,
    NODE_ENV: 'production',
    SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
    DOCUMENT_KEY: crypto.randomBytes(32).toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:9',
    TRUST_PROXY: 'loopback',
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Highest VmHWM seen while it ran (MiB). */
  peakMiB: number;
}

/** Runs a node script to its end, sampling its peak memory. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 10 * 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const peak = samplePeakMemory(child.pid!);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakMiB: peak.stop() });
    });
  });
}

/** Polls /proc/<pid>/status for VmHWM (the kernel's own high-water mark of resident memory). */
export function samplePeakMemory(pid: number, everyMs = 20): { stop(): number; current(): number } {
  let peakKiB = 0;
  let currentKiB = 0;
  const read = () => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      currentKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // the process has ended
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      read();
      clearInterval(timer);
      return peakKiB / 1024;
    },
    current: () => currentKiB / 1024,
  };
}

/** A port nobody listens on right now (the server is then started on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One core for the server under test, the other for the load generator (this process), so
 * autocannon no longer takes CPU from the server it measures. `taskset` comes with util-linux;
 * without it, or on one core, the benchmarks run unpinned and say so.
 */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export function pinning(): { pinned: boolean; note: string } {
  if (os.availableParallelism() < 2) return { pinned: false, note: 'NOT pinned: fewer than 2 cores' };
  if (spawnSync('taskset', ['-V']).error) return { pinned: false, note: 'NOT pinned: taskset not found (Debian: apt-get install util-linux)' };
  return { pinned: true, note: `pinned: server on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` };
}

/** Moves this process (every thread) onto the load generator's core. */
export function pinThisProcess(): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset could not pin the benchmark: ${result.stderr}`);
}

export interface ServerOptions {
  script: string;
  env: NodeJS.ProcessEnv;
  /** Answers 200 once the server is up. */
  probePath: string;
  nodeArgs?: string[];
  /** Run on SERVER_CORE (taskset execs node, so the pid is node's). */
  pinned: boolean;
}

export interface RunningServer {
  pid: number;
  url: string;
  /** Seconds of CPU (user + system, every thread) the server has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * The benchmarks' one launcher, the same shape as the tests' (a free port, the environment,
 * spawn, wait for a probe, stop with SIGTERM then SIGKILL), plus the core it runs on.
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = [...(o.nodeArgs ?? []), o.script];
  const [command, args] = o.pinned ? ['taskset', ['-c', String(SERVER_CORE), process.execPath, ...node]] : [process.execPath, node];
  const child = spawn(command, args, {
    env: { ...o.env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const name = path.basename(o.script);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(url + o.probePath)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${o.probePath} within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    url,
    cpuSeconds: () => cpuSeconds(child.pid!),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The real server, started as `npm start` starts it, on `dataDir`. */
export function startPortal(dataDir: string, pinned: boolean, extraNodeArgs: string[] = []): Promise<RunningServer> {
  return startServer({ script: SERVER, env: serverEnv(dataDir), probePath: '/healthz', nodeArgs: [...SERVER_NODE_ARGS, ...extraNodeArgs], pinned });
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

/**
 * A data folder with the benchmark insurer and `rows` generated members, loaded with the
 * real `portal insurer add` and `portal import-members`.
 */
export async function preparePortal(folder: string, rows: number): Promise<{ dataDir: string; csv: string; importRun: Finished }> {
  const dataDir = path.join(folder, 'data');
  const csv = path.join(folder, 'members.csv');
  await writeMembersCsv(csv, rows, INSURER_CODE);
  const env = portalEnv(dataDir);
  const add = await runNode(CLI, ['insurer', 'add', '--code', INSURER_CODE, '--name', 'ベンチマーク健康保険組合'], env);
  if (add.code !== 0) throw new Error(`portal insurer add failed: ${add.stderr}`);
  const importRun = await runNode(CLI, ['import-members', csv], env);
  if (importRun.code !== 0) throw new Error(`portal import-members failed: ${importRun.stderr}`);
  return { dataDir, csv, importRun };
}

/** A plain text table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${value}"`);
  return n;
}

export const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

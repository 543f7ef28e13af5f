import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtpServer, type TestSmtpServer } from './smtp.js';

/**
 * The real server (`node dist/server.js`) as a child process, for the browser
 * journeys (test/e2e) and the tests that kill it, stop it or starve it
 * (test/hardening). `npm run build` (or `buildOnce()`) compiles src/ first.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_JS = path.join(REPO_ROOT, 'dist', 'server.js');
const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  // A crashed or interrupted test run must not leave servers behind.
  for (const child of live) child.kill('SIGKILL');
});

/** A port nobody listens on right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `tsc -p tsconfig.build.json` (incremental: quick when dist/ is current). tsc emits even
 * when some file has a type error (`npm run typecheck` reports those): only a missing
 * output stops the tests.
 */
export function buildOnce(): void {
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  for (const file of [SERVER_JS, CLI_JS]) {
    if (!fs.existsSync(file)) throw new Error(`build produced no ${file}:\n${result.stdout}${result.stderr}`);
  }
}

/** The environment the server and `portal` run with: development mode on 127.0.0.1, mail to `smtpUrl`. */
export function serverEnv(o: { dataDir: string; port: number; smtpUrl: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: process.env.TZ,
    NODE_ENV: 'development',
    DATA_DIR: o.dataDir,
    PORT: String(o.port),
    HOST: '127.0.0.1',
    BASE_URL: `http://127.0.0.1:${o.port}`,
    SESSION_SECRET: 'real-server-session-secret-0123456789abcdef',
    SMTP_URL: o.smtpUrl,
    LOG_LEVEL: 'warn',
  };
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Resolves with the exit code (null after a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the server printed so far (for failure messages). */
  output(): string;
}

/** Starts `node dist/server.js` and waits until /healthz answers. */
export async function startServer(o: { dataDir: string; port?: number; smtpUrl: string }): Promise<ChildServer> {
  if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run "npm run build" first (npm run test:e2e does)`);
  const port = o.port ?? (await freePort());
  const env = serverEnv({ dataDir: o.dataDir, port, smtpUrl: o.smtpUrl });
  const child = spawn(process.execPath, [SERVER_JS], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const server: ChildServer = { child, url: `http://127.0.0.1:${port}`, port, env, exited, output: () => out };
  try {
    await waitForHealth(server);
  } catch (err) {
    await stopServer(server);
    throw err;
  }
  return server;
}

async function waitForHealth(server: ChildServer): Promise<void> {
  let gone = false;
  void server.exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`the server exited before it was healthy:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz within 30 s:\n${server.output()}`);
    try {
      if ((await fetch(`${server.url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops a server that is still running (SIGTERM, then SIGKILL after 5 s). */
export async function stopServer(server: ChildServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await server.exited;
  clearTimeout(timer);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `portal <args>` (dist/cli/main.js) with the given environment. */
export function runPortalCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_JS, ...args], { cwd: REPO_ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The real server on a fresh data folder, with a real SMTP server beside it (the browser journeys' portal). */
export interface RunningPortal {
  baseUrl: string;
  dataDir: string;
  smtp: TestSmtpServer;
  /** Runs `portal <args>` against the same data folder. */
  cli(args: string[]): Promise<CliResult>;
  output(): string;
  close(): Promise<void>;
}

export async function startPortal(): Promise<RunningPortal> {
  const smtp = await startSmtpServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-'));
  const cleanup = async (server?: ChildServer) => {
    await stopServer(server);
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let server: ChildServer;
  try {
    server = await startServer({ dataDir, smtpUrl: smtp.url });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    baseUrl: server.url,
    dataDir,
    smtp,
    output: server.output,
    cli: (args) => runPortalCli(args, server.env),
    close: () => cleanup(server),
  };
}

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './routes.js';
import { freePort } from '../../helpers/ports.js';

/**
 * The real server (`node dist/server.js`) as a child process, for the tests
 * that kill it, stop it or starve it. `buildOnce()` compiles src/ first.
 */

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * `tsc -p tsconfig.build.json` (incremental: quick when dist/ is current). tsc emits even
 * when some file has a type error (`npm run typecheck` reports those): only a missing
 * output stops the tests.
 */
export function buildOnce(): void {
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  for (const file of ['dist/server.js', 'dist/cli/main.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, file))) throw new Error(`build produced no ${file}:\n${result.stdout}${result.stderr}`);
  }
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  port: number;
  /** Resolves with the exit code (null after a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

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
    SESSION_SECRET: 'hardening-session-secret-0123456789abcdef',
    SMTP_URL: o.smtpUrl,
    LOG_LEVEL: 'warn',
  };
}

/** Starts `node dist/server.js` and waits until /healthz answers. */
export async function startServer(o: { dataDir: string; port?: number; smtpUrl: string }): Promise<ChildServer> {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'server.js')], {
    cwd: REPO_ROOT,
    env: serverEnv({ dataDir: o.dataDir, port, smtpUrl: o.smtpUrl }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`the server exited before it was healthy:\n${out}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz within 30 s:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, port, exited, output: () => out };
}

/** Stops a server that a test left running (SIGTERM, then SIGKILL after 5 s). */
export async function stopServer(server: ChildServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await server.exited;
  clearTimeout(timer);
}

/** `portal <args>` (dist/cli/main.js) with the given environment. */
export function runPortalCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: REPO_ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * A browser over fetch: keeps its cookies, follows no redirect by itself, and
 * posts forms with the CSRF token of the last page it got.
 */
export class Browser {
  private readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(private readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }

  async get(p: string): Promise<{ status: number; location: string | null; text: string }> {
    const res = await fetch(this.base + p, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    this.keep(res);
    const text = await res.text();
    if ((res.headers.get('content-type') ?? '').startsWith('text/html')) this.lastPage = text;
    return { status: res.status, location: res.headers.get('location'), text };
  }

  async post(p: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; text: string }> {
    const token = /name="_csrf" value="([^"]+)"/.exec(this.lastPage)?.[1] ?? '';
    const res = await fetch(this.base + p, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', origin: this.base },
      body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    });
    this.keep(res);
    const text = await res.text();
    if ((res.headers.get('content-type') ?? '').startsWith('text/html')) this.lastPage = text;
    return { status: res.status, location: res.headers.get('location'), text };
  }
}

export function walFile(dataDir: string): string {
  return path.join(dataDir, 'portal.db-wal');
}

export function walExists(dataDir: string): boolean {
  return fs.existsSync(walFile(dataDir));
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { freePort } from '../../helpers/ports.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The real server (`node dist/server.js`) on a fresh data folder, with a real SMTP server beside it. */
export interface RunningPortal {
  baseUrl: string;
  dataDir: string;
  smtp: TestSmtpServer;
  /** Runs `portal <args>` (dist/cli/main.js) against the same data folder. */
  cli(args: string[]): Promise<CliResult>;
  /** What the server printed so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function startPortal(): Promise<RunningPortal> {
  const serverJs = path.join(REPO_ROOT, 'dist', 'server.js');
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing: run "npm run build" first (npm run test:e2e does)`);

  const smtp = await startSmtpServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: process.env.TZ,
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: baseUrl,
    SMTP_URL: smtp.url,
    SESSION_SECRET: crypto.randomBytes(30).toString('base64url').slice(0, 40),
    LOG_LEVEL: 'warn',
  };

  installExitHook();
  const child = spawn(process.execPath, [serverJs], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => live.delete(child));

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, exited, () => out);
  } catch (err) {
    await cleanup();
    throw err;
  }

  return {
    baseUrl,
    dataDir,
    smtp,
    output: () => out,
    cli: (args) => runCli(args, env),
    close: cleanup,
  };
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server exited before it was healthy:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer /healthz within 30 s:\n${output()}`);
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const main = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A crashed or interrupted test run must not leave servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

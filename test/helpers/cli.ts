import { runCli } from '../../src/cli/index.js';
import type { TestContext } from './app.js';

/** Runs `portal …` in-process against the test database and clock; returns the exit code and what it printed. */
export async function cli(ctx: TestContext, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    config: ctx.deps.config,
    db: ctx.db,
    clock: ctx.clock,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    interactive: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

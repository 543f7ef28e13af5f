import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Response } from 'supertest';
import { csrfTokenOf, type TestAgent } from '../agent.js';
import { expectSafeResponse, formBody, fuzzSeed, queryString } from './bodies.js';

/** A browser session in the state a form needs (signed in, at the code step…), and where it posts. */
export interface FuzzState {
  agent: TestAgent;
  path: string;
  /** Sent with every request, e.g. X-Forwarded-For so one form's throttle does not close another's. */
  headers?: Record<string, string>;
}

export interface FormTarget {
  /** "POST /portal/signup" */
  name: string;
  /** Share of the budget; forms that spend an argon2 hash per request get little. */
  weight: number;
  /** The form's real field names (src/features/x/schemas.ts). */
  fields: readonly string[];
  /** A session whose last page carries the form's CSRF token. */
  setup(): Promise<FuzzState>;
  /** True when the state ran out (link used, sign-in locked…): set up again, at most `maxSetups` times. */
  lost?(res: Response): boolean;
  maxSetups?: number;
}

export interface QueryTarget {
  name: string;
  weight: number;
  params: readonly string[];
  setup(): Promise<FuzzState>;
}

export class FuzzStats {
  requests = 0;
  readonly statuses = new Map<number, number>();

  count(status: number): void {
    this.requests += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  summary(): string {
    const byStatus = [...this.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    return `${this.requests} requests (${byStatus.join(', ')})`;
  }
}

/** Keeps the agent's page (and so its CSRF token) current when an answer carries a form. */
function remember(agent: TestAgent, res: Response): void {
  if (res.type === 'text/html' && typeof res.text === 'string' && csrfTokenOf(res.text) !== '') agent.lastPage = res.text;
}

/** `runs` hostile posts to one form, each with a valid CSRF token, each answer checked. */
export async function fuzzForm(target: FormTarget, runs: number, stats: FuzzStats): Promise<void> {
  let state = await target.setup();
  let setups = 1;
  const max = target.maxSetups ?? 5;
  await fc.assert(
    fc.asyncProperty(formBody(target.fields, () => csrfTokenOf(state.agent.lastPage)), async (sent) => {
      const res = await state.agent.http.post(state.path).set(state.headers ?? {}).set('Content-Type', sent.contentType).send(sent.body);
      stats.count(res.status);
      expectSafeResponse(res, sent, target.name);
      remember(state.agent, res);
      if (target.lost?.(res) && setups < max) {
        state = await target.setup();
        setups += 1;
      }
    }),
    { numRuns: runs, seed: fuzzSeed(), endOnFailure: true },
  );
}

/** `runs` GETs of a page with hostile query parameters. */
export async function fuzzQuery(target: QueryTarget, runs: number, stats: FuzzStats): Promise<void> {
  const state = await target.setup();
  await fc.assert(
    fc.asyncProperty(queryString(target.params), async (sent) => {
      const res = await state.agent.http.get(`${state.path}?${sent.query}`).set(state.headers ?? {});
      stats.count(res.status);
      expectSafeResponse(res, sent, target.name);
    }),
    { numRuns: runs, seed: fuzzSeed(), endOnFailure: true },
  );
}

/** Error-level log lines (pino level ≥ 50): an unhandled error, a failed error page. */
export function errorLogLines(logs: readonly string[]): string[] {
  return logs.filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

/** Counts unhandled promise rejections while a test file runs. */
export function watchUnhandledRejections(): { count(): number; reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const onRejection = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', onRejection);
  return {
    count: () => reasons.length,
    reasons,
    stop: () => process.off('unhandledRejection', onRejection),
  };
}

/**
 * Declares one test per form and one per page, each spending its share of the budget
 * (`runs`: the forms' shares, then the pages'), every answer checked.
 */
export function fuzzTests(forms: readonly FormTarget[], queries: readonly QueryTarget[], runs: readonly number[], stats: FuzzStats): void {
  forms.forEach((target, i) => {
    it(`${target.name} answers ${runs[i]} hostile posts without a 5xx and with every value escaped`, async () => {
      await fuzzForm(target, runs[i]!, stats);
    }, 300_000);
  });

  queries.forEach((target, j) => {
    const n = runs[forms.length + j]!;
    it(`${target.name} answers ${n} hostile query strings without a 5xx and with every value escaped`, async () => {
      await fuzzQuery(target, n, stats);
    }, 120_000);
  });
}

/** The last test of a fuzz file: every planned request went out, nothing was rejected unhandled or logged as an error. */
export function sentEveryPlannedRequestTest(
  side: string,
  o: { stats: FuzzStats; runs: readonly number[]; rejections: { reasons: unknown[] }; logs: () => readonly string[] },
): void {
  it('sent every planned request, with no unhandled rejection and no error logged', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    console.info(`${side} fuzz: ${o.stats.summary()}`);
    expect(o.stats.requests).toBe(o.runs.reduce((s, n) => s + n, 0));
    expect(o.rejections.reasons).toEqual([]);
    expect(errorLogLines(o.logs())).toEqual([]);
  });
}

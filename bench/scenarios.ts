import { identityFields, randomSignupMember } from './accounts.js';
import { fetchForms, postFetchedForm, runLoad, type LoadOptions, type LoadResult } from './load.js';
import { envNumber, type RunningServer } from './support.js';

/** Forms fetched for the identity check per second of its window: above any rate seen here. */
const FORMS_PER_SECOND = envNumber('BENCH_FORMS_PER_SECOND', 2_500);

/** A load's answers and what the server spent on them. */
export interface Measured {
  result: LoadResult;
  /** The server's CPU time (user + system, every thread) ÷ every request answered in the window. */
  cpuMicrosPerRequest: number;
  /** The server's CPU time ÷ the window: 1 is one core fully busy. */
  serverBusy: number;
  /** The measured window on CLOCK_MONOTONIC (µs), the clock of a V8 CPU profile's timestamps. */
  window: { startUs: number; endUs: number };
}

/** A warm-up (JIT, caches: up to 2 s) unless told not to, then the measured window. */
export async function measure(server: RunningServer, o: Omit<LoadOptions, 'url'> & { warmUp?: boolean }): Promise<Measured> {
  const options = { ...o, url: server.url };
  if (o.warmUp !== false) await runLoad({ ...options, seconds: Math.min(2, o.seconds) });
  const cpuBefore = server.cpuSeconds();
  const startUs = monotonicMicros();
  const result = await runLoad(options);
  const endUs = monotonicMicros();
  const cpu = server.cpuSeconds() - cpuBefore;
  const answered = Object.values(result.steps).reduce((n, s) => n + s.count, 0);
  return { result, cpuMicrosPerRequest: (cpu * 1e6) / answered, serverBusy: cpu / result.seconds, window: { startUs, endUs } };
}

/**
 * The identity check alone (signup step 1, a matching member): every POST with a form of its
 * own, all fetched before the window, as members who opened the form a while ago (a form
 * serves one POST: the check draws a new CSRF nonce). More forms than the POSTs can use, so
 * none is used twice (warm-up included).
 */
export async function identityPost(server: RunningServer, o: { connections: number; seconds: number; rows: number }): Promise<Measured> {
  const forms = await fetchForms(server.url, '/portal/signup', Math.round(FORMS_PER_SECOND * o.seconds));
  return measure(server, {
    connections: o.connections,
    seconds: o.seconds,
    requests: [postFetchedForm('/portal/signup', forms, () => identityFields(randomSignupMember(o.rows)))],
  });
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

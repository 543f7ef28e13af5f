import autocannon, { type Request, type RequestContext } from 'autocannon';

/**
 * autocannon runs with a tally of our own per kind of request. autocannon's latency histogram
 * only holds 2xx answers, but a successful identity check or login answers 303; and a flow
 * such as "GET the form, then POST it" must be counted per step (the POST is the figure).
 */

export interface StepStats {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx/3xx. */
  bad: number;
  statuses: Record<number, number>;
}

export interface LoadResult {
  seconds: number;
  errors: number;
  steps: Record<string, StepStats>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** One request, or a flow whose steps each set `context.step` in onResponse. */
  requests: Request[];
  /** Requests per second over all connections (a light background load). */
  rate?: number;
}

/** Tag a request so its answers are tallied under `step`. */
export function step(name: string, request: Request): Request {
  const onResponse = request.onResponse;
  return {
    ...request,
    onResponse(status, body, context, headers) {
      context.step = name;
      onResponse?.(status, body, context, headers);
    },
  };
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Map<string, number[]>();
  const statuses = new Map<string, Record<number, number>>();
  let errors = 0;
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: options.requests,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  instance.on('response', (client, status, _bytes, time) => {
    // onResponse ran just before this event, on the same client's context.
    const context: RequestContext = client.requestIterator.context;
    const name = typeof context.step === 'string' ? context.step : 'request';
    if (!latencies.has(name)) {
      latencies.set(name, []);
      statuses.set(name, {});
    }
    latencies.get(name)!.push(time);
    const s = statuses.get(name)!;
    s[status] = (s[status] ?? 0) + 1;
  });
  instance.on('reqError', () => {
    errors++;
  });
  return Promise.resolve(instance).then(() => {
    const seconds = (performance.now() - started) / 1000;
    const steps: Record<string, StepStats> = {};
    for (const [name, times] of latencies) {
      times.sort((a, b) => a - b);
      const st = statuses.get(name)!;
      steps[name] = {
        count: times.length,
        perSecond: times.length / seconds,
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        bad: Object.entries(st).reduce((n, [code, c]) => (Number(code) >= 200 && Number(code) < 400 ? n : n + c), 0),
        statuses: st,
      };
    }
    return { seconds, errors, steps };
  });
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * The server runs in production mode (cached templates, Secure cookies) as if behind the TLS
 * proxy of a real deployment: TRUST_PROXY=loopback, and every request says it came as https.
 */
export const PROXY_HEADERS: Record<string, string> = { 'x-forwarded-proto': 'https' };

/** A plain GET, as through the proxy, with an optional cookie. */
export function get(path: string, cookie?: string): Request {
  return { method: 'GET', path, headers: cookie ? { ...PROXY_HEADERS, cookie } : { ...PROXY_HEADERS } };
}

/**
 * `jar` (a Cookie header value) with the cookies a response sets put in: the session cookie
 * once the server stores a session, and the CSRF cookie (`__Host-portal-csrf`) that a form's
 * token is bound to.
 */
export function withSetCookies(jar: string | undefined, headers: Record<string, string | string[]>): string | undefined {
  const cookies = new Map<string, string>();
  for (const pair of jar ? jar.split('; ') : []) cookies.set(pair.slice(0, pair.indexOf('=')), pair);
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    for (const line of Array.isArray(value) ? value : [value]) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair);
    }
  }
  return cookies.size > 0 ? [...cookies.values()].join('; ') : undefined;
}

const CSRF = /name="_csrf" value="([^"]+)"/;

/** GET a page with a form as a new visitor: remember its cookies and CSRF token for the next step. */
export function getForm(path: string): Request {
  return {
    method: 'GET',
    path,
    headers: { ...PROXY_HEADERS },
    onResponse(_status, body, context, headers) {
      context.cookie = withSetCookies(undefined, headers);
      context.csrf = CSRF.exec(body)?.[1];
    },
  };
}

/** POST a form with the cookie and token of the step before; `fields` is called per request. */
export function postForm(path: string, fields: () => Record<string, string>): Request {
  return {
    method: 'POST',
    path,
    setupRequest(request, context) {
      const headers: Record<string, string> = { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded' };
      if (typeof context.cookie === 'string') headers.cookie = context.cookie;
      const body = new URLSearchParams({ ...fields(), _csrf: typeof context.csrf === 'string' ? context.csrf : '' }).toString();
      return { ...request, headers, body };
    },
  };
}

/** A visitor's cookies and the CSRF token of the form they were given. */
export interface FetchedForm {
  cookie: string;
  csrf: string;
}

/**
 * Fetches `count` copies of a form as `count` new visitors, `concurrency` at a time, before a
 * measured window: then POSTs can be driven alone, each with a form of its own (a token is
 * good for one identity check, which draws a new CSRF nonce).
 */
export async function fetchForms(url: string, path: string, count: number, concurrency = 50): Promise<FetchedForm[]> {
  const forms: FetchedForm[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started++;
        const res = await fetchRetrying(url + path);
        const csrf = CSRF.exec(await res.text())?.[1];
        const cookie = withSetCookies(undefined, { 'set-cookie': res.headers.getSetCookie() });
        if (res.status !== 200 || !csrf || !cookie) throw new Error(`GET ${path} answered ${res.status} without a form`);
        forms.push({ cookie, csrf });
      }
    }),
  );
  return forms;
}

/**
 * A GET that is sent again when the server closed its kept-alive connection just as the
 * request went out (its 5 s keep-alive timeout, which a starved server reaches).
 */
async function fetchRetrying(url: string, tries = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, { headers: PROXY_HEADERS });
    } catch (err) {
      if (i >= tries) throw err;
    }
  }
}

/** POST a form, each request with the next of `forms` (cookie and token); `fields` is called per request. */
export function postFetchedForm(path: string, forms: FetchedForm[], fields: () => Record<string, string>): Request {
  let next = 0;
  return {
    method: 'POST',
    path,
    setupRequest(request) {
      const form = forms[next++ % forms.length]!;
      const body = new URLSearchParams({ ...fields(), _csrf: form.csrf }).toString();
      return { ...request, headers: { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie }, body };
    },
  };
}

/** `123.4` → `123`, `2.345` → `2.3`: figures as a table shows them. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1);
}

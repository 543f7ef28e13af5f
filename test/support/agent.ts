import request from 'supertest';
import type { Response as HttpResponse } from 'supertest';
import type { App } from 'supertest/types.js';

/** The hidden field every form carries; its value is the CSRF token. */
export const CSRF_FIELD = /name="_csrf" value="([^"]*)"/;

/** The CSRF token a page's forms carry ('' when the page has no form). */
export function csrfTokenOf(html: string): string {
  return CSRF_FIELD.exec(html)?.[1] ?? '';
}

/** The page without its CSRF tokens, so two answers can be compared. */
export function withoutCsrfTokens(html: string): string {
  return html.replace(new RegExp(CSRF_FIELD.source, 'g'), '');
}

type Fields = Record<string, string | string[]>;

/**
 * A browser-like client over supertest: keeps cookies, remembers the last page it
 * got, and posts forms with the CSRF token that page carried, as a member's browser would.
 */
export class TestAgent {
  readonly http: ReturnType<typeof request.agent>;
  lastPage = '';

  constructor(app: App) {
    this.http = request.agent(app);
  }

  async get(path: string): Promise<HttpResponse> {
    return this.remember(await this.http.get(path));
  }

  /** Follows redirects (GET) up to 5 times, like a browser. */
  async getFollow(path: string): Promise<HttpResponse> {
    let res = await this.get(path);
    for (let i = 0; i < 5 && res.status >= 300 && res.status < 400; i++) {
      res = await this.get(res.headers.location as string);
    }
    return res;
  }

  /** Posts fields with the CSRF token of the last page (unless `_csrf` is given). */
  async post(path: string, fields: Fields = {}): Promise<HttpResponse> {
    const body = { _csrf: this.csrfToken(), ...fields };
    return this.remember(await this.http.post(path).type('form').send(body));
  }

  /** Posts a raw urlencoded body (repeated keys, odd encodings) with the CSRF token of the last page. */
  async postRaw(path: string, raw: string): Promise<HttpResponse> {
    return this.http.post(path).type('form').send(`_csrf=${encodeURIComponent(this.csrfToken())}&${raw}`);
  }

  /** GET the form page, then POST it: the usual way a member submits a form. */
  async submit(formPath: string, fields: Fields, action = formPath): Promise<HttpResponse> {
    await this.get(formPath);
    return this.post(action, fields);
  }

  csrfToken(): string {
    return csrfTokenOf(this.lastPage);
  }

  /** A cookie's value; `path` is the cookie's path (the staff session cookie lives under /staff/). */
  cookie(name: string, path = '/'): string | undefined {
    const jar = this.http.jar as unknown as { getCookie(name: string, access: unknown): { value: string } | undefined };
    return jar.getCookie(name, { domain: '127.0.0.1', path, secure: false, script: false })?.value;
  }

  private remember(res: HttpResponse): HttpResponse {
    if (typeof res.text === 'string' && res.type === 'text/html') this.lastPage = res.text;
    return res;
  }
}

export interface FetchedPage {
  status: number;
  location: string | null;
  text: string;
}

/**
 * The same client over fetch, for a server in another process (test/support/real-server.ts):
 * keeps its cookies, follows no redirect by itself, posts forms with the CSRF
 * token of the last page it got and the Origin a browser sends.
 */
export class FetchAgent {
  private readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(private readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  csrfToken(): string {
    return csrfTokenOf(this.lastPage);
  }

  async get(p: string): Promise<FetchedPage> {
    return this.read(await fetch(this.base + p, { redirect: 'manual', headers: { cookie: this.cookieHeader() } }));
  }

  async post(p: string, fields: Record<string, string>): Promise<FetchedPage> {
    const res = await fetch(this.base + p, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', origin: this.base },
      body: new URLSearchParams({ _csrf: this.csrfToken(), ...fields }).toString(),
    });
    return this.read(res);
  }

  private async read(res: Response): Promise<FetchedPage> {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const text = await res.text();
    if ((res.headers.get('content-type') ?? '').startsWith('text/html')) this.lastPage = text;
    return { status: res.status, location: res.headers.get('location'), text };
  }
}

/** The text a person sees: tags removed, entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

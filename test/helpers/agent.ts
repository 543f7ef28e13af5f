import request from 'supertest';
import type { Response } from 'supertest';
import type { App } from 'supertest/types.js';

/**
 * A browser-like client: keeps cookies, remembers the last page it got, and
 * posts forms with the CSRF token that page carried, as a member's browser would.
 */
export class TestAgent {
  readonly http: ReturnType<typeof request.agent>;
  lastPage = '';

  constructor(app: App) {
    this.http = request.agent(app);
  }

  async get(path: string): Promise<Response> {
    const res = await this.http.get(path);
    if (typeof res.text === 'string' && res.type === 'text/html') this.lastPage = res.text;
    return res;
  }

  /** Follows redirects (GET) up to 5 times, like a browser. */
  async getFollow(path: string): Promise<Response> {
    let res = await this.get(path);
    for (let i = 0; i < 5 && res.status >= 300 && res.status < 400; i++) {
      res = await this.get(res.headers.location as string);
    }
    return res;
  }

  /** Posts fields with the CSRF token of the last page (unless `_csrf` is given). */
  async post(path: string, fields: Record<string, string | string[]> = {}): Promise<Response> {
    const body = { _csrf: csrfTokenOf(this.lastPage), ...fields };
    const res = await this.http.post(path).type('form').send(body);
    if (typeof res.text === 'string' && res.type === 'text/html') this.lastPage = res.text;
    return res;
  }

  /** GET the form page, then POST it: the usual way a member submits a form. */
  async submit(formPath: string, fields: Record<string, string | string[]>, action = formPath): Promise<Response> {
    await this.get(formPath);
    return this.post(action, fields);
  }

  cookie(name: string): string | undefined {
    const jar = this.http.jar as unknown as { getCookie(name: string, access: unknown): { value: string } | undefined };
    // cookiejar's access info: any path, any domain
    return jar.getCookie(name, { domain: '127.0.0.1', path: '/', secure: false, script: false })?.value;
  }
}

export function csrfTokenOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  return m?.[1] ?? '';
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { makeInsurer } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { visibleText } from '../support/agent.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  makeInsurer(ctx.db, ctx.clock, { name: 'テスト健康保険組合', call_center_phone: '0120-999-888', office_phone: '03-5555-6666' });
});
afterAll(() => ctx.close());

describe('web base', () => {
  it('answers /healthz with the database status', async () => {
    const res = await request(ctx.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('sends / to the member portal', async () => {
    const res = await request(ctx.app).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/portal/');
  });

  it('shows a Japanese 404 page in the layout with the society and its contacts', async () => {
    const res = await request(ctx.app).get('/portal/no-such-page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<html lang="ja">');
    const text = visibleText(res.text);
    expect(text).toContain('ページが見つかりません');
    expect(text).toContain('テスト健康保険組合');
    expect(text).toContain('0120-999-888');
    expect(text).toContain('03-5555-6666');
  });

  it('sends a Content-Security-Policy without unsafe-inline that forbids framing', async () => {
    const res = await request(ctx.app).get('/portal/no-such-page');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('has no inline script or style in the layout', async () => {
    const res = await request(ctx.app).get('/portal/no-such-page');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/<style\b/);
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('refuses a POST without a CSRF token with a Japanese 403 page', async () => {
    const res = await request(ctx.app).post('/portal/login').type('form').send({ loginId: 'x', password: 'y' });
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('ページの有効期限が切れました');
  });

  it('refuses a POST from another site’s page', async () => {
    const res = await request(ctx.app)
      .post('/portal/login')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ loginId: 'x' });
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('このサイト以外の画面からの送信は受け付けられません');
  });

  it('judges browsers that send Fetch Metadata by Sec-Fetch-Site, even with Origin: null', async () => {
    const crossSite = await request(ctx.app)
      .post('/portal/login')
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ loginId: 'x' });
    expect(crossSite.status).toBe(403);
    expect(visibleText(crossSite.text)).toContain('このサイト以外の画面からの送信は受け付けられません');
    const sameSite = await request(ctx.app).post('/portal/login').set('Sec-Fetch-Site', 'same-site').type('form').send({ loginId: 'x' });
    expect(visibleText(sameSite.text)).toContain('このサイト以外の画面からの送信は受け付けられません');
    // A same-origin post from a no-referrer page passes the origin check and meets the CSRF token check instead.
    const sameOrigin = await request(ctx.app)
      .post('/portal/login')
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ loginId: 'x' });
    expect(visibleText(sameOrigin.text)).toContain('ページの有効期限が切れました');
  });

  it('refuses Origin: null from a browser that sends no Fetch Metadata', async () => {
    const res = await request(ctx.app).post('/portal/login').set('Origin', 'null').type('form').send({ loginId: 'x' });
    expect(visibleText(res.text)).toContain('このサイト以外の画面からの送信は受け付けられません');
  });

  it('answers an oversized form with 413 and a message, not a crash', async () => {
    const res = await request(ctx.app)
      .post('/portal/login')
      .type('form')
      .send({ loginId: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(visibleText(res.text)).toContain('入力内容が長すぎます');
  });

  it('answers a malformed percent-escape with 400, not a crash', async () => {
    const res = await request(ctx.app).post('/portal/login').type('form').send('loginId=%E0%A4%A&password=%');
    expect(res.status).toBeLessThan(500);
  });

  it('serves the stylesheet and script from /public', async () => {
    expect((await request(ctx.app).get('/public/css/portal.css')).status).toBe(200);
    expect((await request(ctx.app).get('/public/js/portal.js')).status).toBe(200);
  });
});

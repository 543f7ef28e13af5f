import QRCode from 'qrcode';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer } from '../support/factories.js';

let ctx: TestContext;
let html: string;
let insurerCode: string;
beforeAll(async () => {
  ctx = await createTestContext();
  insurerCode = makeInsurer(ctx.db, ctx.clock, { name: 'U-NEXT HOLDINGS健康保険組合' }).code;
  html = (await new TestAgent(ctx.app).get('/portal/signup')).text;
});
afterAll(() => ctx.close());

const inputTag = (name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';

describe('the identity page (signup step 1)', () => {
  it('shows the four steps with the current one marked for screen readers', () => {
    const steps = /<ol class="steps"[\s\S]*?<\/ol>/.exec(html)![0];
    expect(visibleText(steps)).toBe('現在のステップ： 1 本人確認 2 ID・パスワード設定 3 認証コード入力 4 完了');
    expect(steps.match(/aria-current="step"/g)).toHaveLength(1);
    expect(steps).toMatch(/<li aria-current="step"><span class="visually-hidden">現在のステップ：<\/span>1 本人確認<\/li>/);
  });

  it('has the seven fields with labels, hints above each and the right input modes', () => {
    for (const name of ['insurerCode', 'symbol', 'number', 'nameKana']) {
      expect(html).toContain(`<label class="field__label" for="${name}">`);
      expect(inputTag(name)).toContain(`aria-describedby="${name}-hint"`);
      // The hint comes before the input.
      expect(html.indexOf(`id="${name}-hint"`)).toBeLessThan(html.indexOf(`id="${name}" name="${name}"`));
    }
    for (const name of ['birthYear', 'birthMonth', 'birthDay']) expect(html).toMatch(new RegExp(`<select[^>]*id="${name}" name="${name}"`));
    expect(inputTag('symbol')).toContain('inputmode="numeric"');
    expect(inputTag('number')).toContain('inputmode="numeric"');
    const text = visibleText(html);
    expect(text).toContain('記号・番号（保険証・資格確認書・資格情報のお知らせ・マイナポータルに記載）');
    expect(text).toContain('半角数字で入力してください。全角・ハイフン・空白が入っていても構いません');
    expect(text).toContain('ひらがな・カタカナのどちらでも');
    expect(text).toContain('姓と名の間の空白はあってもなくても構いません');
    expect(text).toContain('健康保険組合からの「加入者ポータルのご案内」に記載の英数字です。保険証などの「保険者番号」（8桁の数字）とは異なります。');
  });

  it('offers birth years where a member can be (15 to 80 years old) with their Japanese era, both eras where a year has two', () => {
    const years = [...html.matchAll(/<option value="(\d{4})"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
    expect(years[0]).toEqual(['2011', '2011（平成23）年']);
    expect(years.at(-1)).toEqual(['1946', '1946（昭和21）年']);
    expect(years).toHaveLength(2011 - 1946 + 1);
    const label = (y: string) => years.find((p) => p[0] === y)?.[1];
    expect(label('1985')).toBe('1985（昭和60）年');
    expect(label('1989')).toBe('1989（昭和64／平成元）年');
  });

  it('shows the drawing of where 記号 and 番号 are printed, as an image with a text alternative', async () => {
    const img = /<img[^>]*src="\/public\/img\/card-symbol-number.svg"[^>]*>/.exec(html)?.[0];
    expect(img).toBeDefined();
    expect(img).toMatch(/alt="記号と番号の記載位置の図。[^"]+"/);
    const svg = await request(ctx.app).get('/public/img/card-symbol-number.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    const body = svg.body instanceof Buffer ? svg.body.toString('utf8') : String(svg.text);
    expect(body).toContain('記号');
    expect(body).not.toMatch(/<script|<style|style=/); // nothing the page's CSP would have to allow
  });

  it('shows a QR code of its own full URL (with the only society\'s code) as inline SVG with an accessible name', async () => {
    const url = `http://127.0.0.1/portal/signup?insurer=${insurerCode}`;
    const expected = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const modules = /<path stroke="#000000" d="([^"]+)"/.exec(expected)![1]!;
    expect(html).toContain(modules);
    expect(html).toMatch(/<svg role="img" aria-label="このページのURLを表すQRコード" class="qr-code"/);
    expect(visibleText(html)).toContain(url);
  });

  it('links members who already registered to the login page and says last year\u2019s IDs were reset', () => {
    const text = visibleText(html);
    expect(html).toContain('href="/portal/"');
    expect(text).toContain('2回目以降の方');
    expect(text).toContain('毎年度、ユーザーID・パスワードはリセットされます');
    expect(text).toContain('今年度あらためて初回登録をお願いします');
  });

  it('has a CSRF token in the form and no inline script or style', () => {
    expect(html).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('explains why a later step sent the member back', async () => {
    const agent = new TestAgent(ctx.app);
    expect(visibleText((await agent.get('/portal/signup?reason=expired')).text)).toContain('30分以上たったため');
    expect(visibleText((await agent.get('/portal/signup?reason=start')).text)).toContain('はじめに本人確認を行ってください');
    expect(visibleText((await agent.get('/portal/signup?reason=<b>x</b>')).text)).not.toContain('<b>');
  });

  it('keeps every step page out of caches', async () => {
    const res = await request(ctx.app).get('/portal/signup');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

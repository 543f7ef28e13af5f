import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DIR } from '../../src/http/views.js';
import { GOOD_PASSWORD, identityFields, latestCode, latestMail, reachCodeStep } from '../support/member-flows.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { acceptLatestTerms, makeAccount, makeInsurer, makeMember, publishTerms } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

// The "hurts" of the member screens review, one check each, through HTTP.
let ctx: TestContext;
let insurer: ReturnType<typeof makeInsurer>;
beforeAll(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { name: '画面健康保険組合', call_center_phone: '0120-555-666', call_center_hours: '平日 9:00〜18:00（年末年始を除く）' });
  makeInsurer(ctx.db, ctx.clock); // several societies: the pages know the society only from a link, a form or the session
});
afterAll(() => ctx.close());

const tag = (html: string, name: string) => new RegExp(`<(?:input|select)[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';

describe('phones', () => {
  it('open an ASCII keyboard without capitals for the insurer code and every login ID field', async () => {
    const signup = (await new TestAgent(ctx.app).get('/portal/signup')).text;
    expect(tag(signup, 'insurerCode')).toMatch(/inputmode="url"[^>]*spellcheck="false" autocapitalize="none"/);
    for (const page of ['/portal/', '/portal/password/forgot']) {
      const html = (await new TestAgent(ctx.app).get(page)).text;
      expect(tag(html, 'loginId'), page).toMatch(/inputmode="email"[^>]*spellcheck="false" autocapitalize="none"/);
    }
    const agent = new TestAgent(ctx.app);
    await agent.submit('/portal/signup', identityFields(insurer, makeMember(ctx.db, ctx.clock, insurer)));
    const account = (await agent.get('/portal/signup/account')).text;
    expect(tag(account, 'loginId')).toMatch(/inputmode="email"[^>]*spellcheck="false" autocapitalize="none"/);
  });

  it('see a compact ステップ 1/4 line (the stylesheet shows it instead of the four labels below 40rem)', async () => {
    const text = visibleText((await new TestAgent(ctx.app).get('/portal/signup')).text);
    expect(text).toContain('ステップ 1/4 本人確認');
    const css = fs.readFileSync(path.join(PUBLIC_DIR, 'css/portal.css'), 'utf8');
    expect(css).toMatch(/@media \(max-width: 39\.99rem\) \{ \.steps \{ display: none; \} \}/);
    expect(css).toMatch(/@media \(min-width: 40rem\) \{ \.steps-compact \{ display: none; \} \}/);
  });
});

describe('the stylesheet', () => {
  const css = fs.readFileSync(path.join(PUBLIC_DIR, 'css/portal.css'), 'utf8');
  const variable = (name: string) => new RegExp(`--${name}: (#[0-9a-f]{6})`).exec(css)![1]!;

  it('draws hints at 16 px', () => {
    expect(css).toMatch(/\.field__hint \{[^}]*font-size: 1rem;/);
  });

  it('draws a focus ring of at least 3:1: a dark ring against the page, a yellow band against the blue header', () => {
    expect(css).toMatch(/:focus-visible \{ outline: 3px solid var\(--focus-ring\);[^}]*box-shadow: 0 0 0 3px var\(--focus\); \}/);
    expect(contrast(variable('focus-ring'), '#ffffff')).toBeGreaterThanOrEqual(3);
    expect(contrast(variable('focus-ring'), variable('bg'))).toBeGreaterThanOrEqual(3);
    expect(contrast(variable('focus'), variable('brand'))).toBeGreaterThanOrEqual(3);
    expect(contrast(variable('focus'), variable('focus-ring'))).toBeGreaterThanOrEqual(3);
  });
});

describe('the birthdate', () => {
  it('gets one message, after the hint and before the pulldowns like other fields, all three marked invalid', async () => {
    const res = await new TestAgent(ctx.app).submit('/portal/signup', identityFields(insurer, makeMember(ctx.db, ctx.clock, insurer), { birthMonth: '' }));
    expect(res.status).toBe(400);
    const fieldset = /<fieldset class="fieldset identity-birth[\s\S]*?<\/fieldset>/.exec(res.text)![0];
    expect(fieldset.match(/class="field__error"/g)).toHaveLength(1);
    expect(fieldset.indexOf('id="birth-hint"')).toBeLessThan(fieldset.indexOf('id="birthDate-error"'));
    expect(fieldset.indexOf('id="birthDate-error"')).toBeLessThan(fieldset.indexOf('<select'));
    for (const name of ['birthYear', 'birthMonth', 'birthDay']) {
      expect(tag(fieldset, name)).toContain('aria-invalid="true"');
      expect(tag(fieldset, name)).toContain('aria-describedby="birth-hint birthDate-error"');
    }
    expect(res.text).toContain('<a href="#birthYear">生年月日を選択してください</a>');
  });
});

describe('buttons named as the seed manual names them', () => {
  it('認証 on the identity and code pages, 作成する, ログイン, 次へ', async () => {
    const button = (html: string) => [...html.matchAll(/<button type="submit" class="button button--block">([^<]+)<\/button>/g)].map((m) => m[1]);
    expect(button((await new TestAgent(ctx.app).get('/portal/signup')).text)).toEqual(['認証']);
    expect(button((await new TestAgent(ctx.app).get('/portal/')).text)).toEqual(['ログイン']);
    const agent = new TestAgent(ctx.app);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    await agent.submit('/portal/signup', identityFields(insurer, member));
    expect(button((await agent.get('/portal/signup/account')).text)).toEqual(['作成する']);
    await agent.post('/portal/signup/account', { loginId: 'buttons-01', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'b@example.jp', emailConfirm: 'b@example.jp' });
    expect(button((await agent.get('/portal/signup/verify')).text)).toEqual(['認証']);
    publishTerms(ctx.db, ctx.clock, insurer);
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const member2 = new TestAgent(ctx.app);
    await logIn(member2, account.loginId, account.password);
    expect(button((await member2.get('/portal/terms')).text)).toEqual(['次へ']);
  });
});

describe('before anything is typed', () => {
  it('the identity page links the privacy statement and the terms, and says the signup must end within 30 minutes', async () => {
    const html = (await new TestAgent(ctx.app).get(`/portal/signup?insurer=${insurer.code}`)).text;
    const firstInput = html.indexOf('name="insurerCode"');
    for (const href of [`/portal/policies/privacy?insurer=${insurer.code}`, `/portal/policies/terms?insurer=${insurer.code}`]) {
      expect(html.indexOf(`href="${href}"`), href).toBeGreaterThan(0);
      expect(html.indexOf(`href="${href}"`)).toBeLessThan(firstInput);
    }
    expect(visibleText(html)).toContain('本人確認のあと、 30分以内 に登録を完了してください');
  });

  it('the privacy statement and the terms open without login, with the society\u2019s name or its published terms', async () => {
    const privacy = visibleText((await new TestAgent(ctx.app).get(`/portal/policies/privacy?insurer=${insurer.code}`)).text);
    expect(privacy).toContain('個人情報の取り扱いについて');
    expect(privacy).toContain('画面健康保険組合（以下「当組合」といいます。）は、加入者ポータル');
    const general = visibleText((await new TestAgent(ctx.app).get('/portal/policies/terms')).text);
    expect(general).toContain('ご加入の健康保険組合（以下「当組合」といいます。）');
    const other = makeInsurer(ctx.db, ctx.clock, { name: '規約公開健康保険組合' });
    publishTerms(ctx.db, ctx.clock, other, '# 利用規約\n\n規約公開健康保険組合の独自の規約です。');
    const published = visibleText((await new TestAgent(ctx.app).get(`/portal/policies/terms?insurer=${other.code}`)).text);
    expect(published).toContain('独自の規約です');
    expect(published).toContain('第1版');
  });

  it('steps 2 and 3 say until when the signup can be finished', async () => {
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, makeMember(ctx.db, ctx.clock, insurer), { loginId: 'deadline-01', email: 'deadline@example.jp' });
    const at = new Date(ctx.clock.now() + 30 * 60_000).toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
    for (const page of ['/portal/signup/account', '/portal/signup/verify']) {
      expect(visibleText((await agent.get(page)).text), page).toContain(`本人確認から30分以内（ ${at}まで ）に登録を完了してください`);
    }
  });
});

describe('an expired form (CSRF)', () => {
  it('keeps the society\u2019s name and call center, says what happened in plain words and leads back to the form', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    const res = await agent.post('/portal/signup', { _csrf: 'stale', insurerCode: insurer.code });
    expect(res.status).toBe(403);
    const text = visibleText(res.text);
    expect(text).toContain('画面を開いてから時間がたったか、別のタブで操作されたため、送信できませんでした。お手数ですが、もう一度入力してください。');
    expect(text).toContain('画面健康保険組合');
    expect(res.text).toContain('href="tel:0120555666"');
    expect(text).toContain('受付時間：平日 9:00〜18:00（年末年始を除く）');
    expect(res.text).toContain('href="/portal/signup">入力画面に戻る</a>');
  });

  it('after the identity check, knows the society from the session', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.submit('/portal/signup', identityFields(insurer, makeMember(ctx.db, ctx.clock, insurer)));
    const res = await agent.post('/portal/signup/account', { _csrf: 'stale', loginId: 'x' });
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('画面健康保険組合');
    expect(res.text).toContain('href="/portal/signup/account">入力画面に戻る</a>');
  });
});

describe('mails', () => {
  it('come from the society\u2019s portal by name: 「<society> 加入者ポータル <address>」', async () => {
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, makeMember(ctx.db, ctx.clock, insurer), { loginId: 'sender-01', email: 'sender@example.jp' });
    const mail = await latestMail(ctx, 'sender@example.jp', '認証コードのお知らせ');
    expect(mail.parsed.from?.value).toEqual([{ name: '画面健康保険組合 加入者ポータル', address: 'no-reply@portal.example.jp' }]);
  });
});

describe('the completion page', () => {
  it('leads to the login page with the new ID filled in', async () => {
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, makeMember(ctx.db, ctx.clock, insurer), { loginId: 'Done.Member01', email: 'done@example.jp' });
    await agent.post('/portal/signup/verify', { code: await latestCode(ctx, 'done@example.jp') });
    const done = await agent.get('/portal/signup/done');
    expect(done.text).toContain('<a class="button button--block" href="/portal/">ログイン画面へ</a>');
    const login = await agent.get('/portal/');
    expect(tag(login.text, 'loginId')).toContain('value="Done.Member01"');
    expect(visibleText(login.text)).toContain('初回登録が完了しました。設定したパスワードを入力して、ログインしてください。');
    const signedIn = await agent.post('/portal/login', { loginId: 'Done.Member01', password: GOOD_PASSWORD });
    expect(signedIn.headers.location).toBe('/portal/mypage');
    // Someone else's login page is the plain one.
    expect(tag((await new TestAgent(ctx.app).get('/portal/')).text, 'loginId')).not.toContain('value=');
  });
});

describe('a society without contact details', () => {
  it('shows no empty お問い合わせ heading', async () => {
    const bare = makeInsurer(ctx.db, ctx.clock, { name: '連絡先なし健康保険組合', call_center_phone: '', call_center_email: '', office_phone: '' });
    const account = await makeAccount(ctx.db, ctx.clock, { insurer: bare });
    acceptLatestTerms(ctx.db, ctx.clock, account);
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    const html = (await agent.get('/portal/mypage')).text;
    expect(html).not.toContain('お問い合わせ</h2>');
    expect(visibleText(html)).toContain('ご不明な点は、連絡先なし健康保険組合へお問い合わせください。');
    const withContacts = visibleText((await new TestAgent(ctx.app).get(`/portal/signup?insurer=${insurer.code}`)).text);
    expect(withContacts).toContain('お問い合わせ コールセンター TEL 0120-555-666');
  });
});

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

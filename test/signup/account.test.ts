import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { MINUTE } from '../../src/lib/clock.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, latestCode, reachCodeStep, submitIdentity } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: Insurer;
let member: Member;
let agent: TestAgent;
beforeEach(async () => {
  ctx = await createTestContext({ MAIL_FROM: 'portal@kenpo.example.jp' });
  insurer = makeInsurer(ctx.db, ctx.clock);
  member = makeMember(ctx.db, ctx.clock, insurer);
  agent = new TestAgent(ctx.app);
  const res = await submitIdentity(agent, identityFields(insurer, member));
  expect(res.headers.location).toBe('/portal/signup/account');
});
afterEach(() => ctx.close());

const valid = { loginId: 'kenpo-shoko', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'shoko@example.co.jp', emailConfirm: 'shoko@example.co.jp' };

/** Posts step 2 and returns what the member sees, after checking nothing was stored. */
async function refused(fields: Partial<typeof valid>): Promise<{ text: string; html: string }> {
  const res = await agent.submit('/portal/signup/account', { ...valid, ...fields });
  expect(res.status).toBe(400);
  expect(ctx.readers.count('signup_registrations')).toBe(0);
  expect(ctx.readers.count('email_codes')).toBe(0);
  return { text: visibleText(res.text), html: res.text };
}

/** The messages listed under one field. */
function fieldErrors(html: string, field: string): string[] {
  const list = new RegExp(`<ul class="field__error field__error-list" id="${field}-error">([\\s\\S]*?)</ul>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1]!).replace(/^エラー：\s*/, ''));
}

describe('the account page (signup step 2)', () => {
  it('lists the rules before anything is typed, and the advice about the sender address and spam folder', async () => {
    const page = await agent.get('/portal/signup/account');
    const text = visibleText(page.text);
    expect(text).toContain('現在のステップ： 2 ID・パスワード設定');
    expect(text).toContain('6〜50文字の半角英数字と記号（@ - _ . +）');
    expect(text).toContain('大文字と小文字は区別しません');
    expect(text).toContain('8〜20文字の半角英数字・記号');
    expect(text).toContain('英字・数字・記号（? ! @ # $ % & ( ) _ +）をそれぞれ1文字以上含める');
    expect(text).toContain('ユーザーIDと同じものは使えません');
    expect(text).toContain('portal@kenpo.example.jp から届きます');
    expect(text).toContain('迷惑メールフォルダ');
    expect(text).toContain('メールを受信できるアドレス');
    expect(text.indexOf('ユーザーIDのルール')).toBeLessThan(text.indexOf('パスワードのルール'));
    expect(page.text).toMatch(/<input[^>]*name="loginId"[^>]*autocomplete="username"/);
    expect(page.text).toMatch(/<input[^>]*name="password"[^>]*type="password"[^>]*autocomplete="new-password"/);
    expect(page.text).toMatch(/<input[^>]*name="email"[^>]*type="email"[^>]*autocomplete="email"/);
  });

  it('names each broken login ID rule in its own message', async () => {
    expect(fieldErrors((await refused({ loginId: 'abc12' })).html, 'loginId')).toEqual(['ユーザーIDは6文字以上50文字以内で入力してください（現在5文字）']);
    expect(fieldErrors((await refused({ loginId: 'a'.repeat(51) })).html, 'loginId')).toEqual(['ユーザーIDは6文字以上50文字以内で入力してください（現在51文字）']);
    expect(fieldErrors((await refused({ loginId: 'kenpo shoko' })).html, 'loginId')).toEqual([
      'ユーザーIDに使えない文字が含まれています。半角英数字と記号 @ - _ . + のみ使えます（全角文字・空白は使えません）',
    ]);
    expect(fieldErrors((await refused({ loginId: 'けんぽ' })).html, 'loginId')).toHaveLength(2);
    expect(fieldErrors((await refused({ loginId: '' })).html, 'loginId')).toEqual(['ユーザーIDを入力してください']);
  });

  it('names each broken password rule in its own message, all of them at once', async () => {
    const cases: [string, string[]][] = [
      ['Ab1#', ['パスワードは8文字以上20文字以内で入力してください（現在4文字）']],
      ['Abcdefg1#Abcdefg1#xyz', ['パスワードは8文字以上20文字以内で入力してください（現在21文字）']],
      ['Abcd 1234#', ['パスワードに使えない文字が含まれています。半角英数字と記号 ? ! @ # $ % & ( ) _ + のみ使えます（全角文字・空白は使えません）']],
      ['12345678#', ['パスワードには英字を1文字以上含めてください']],
      ['Abcdefgh#', ['パスワードには数字を1文字以上含めてください']],
      ['Abcdefgh1', ['パスワードには記号（? ! @ # $ % & ( ) _ +）を1文字以上含めてください']],
      ['Password1!', ['このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください']],
      ['abc', [
        'パスワードは8文字以上20文字以内で入力してください（現在3文字）',
        'パスワードには数字を1文字以上含めてください',
        'パスワードには記号（? ! @ # $ % & ( ) _ +）を1文字以上含めてください',
      ]],
    ];
    for (const [password, messages] of cases) {
      const { html, text } = await refused({ password, passwordConfirm: password });
      expect(fieldErrors(html, 'password'), password).toEqual(messages);
      expect(html).not.toContain(`value="${password}"`); // a password is never sent back
      expect(text).toContain('入力内容をご確認ください');
    }
  });

  it('refuses a password equal to the login ID, without regard to case', async () => {
    const { html } = await refused({ loginId: 'Kenpo#2026x', password: 'kenpo#2026X', passwordConfirm: 'kenpo#2026X' });
    expect(fieldErrors(html, 'loginId')).toEqual(['ユーザーIDに使えない文字が含まれています。半角英数字と記号 @ - _ . + のみ使えます（全角文字・空白は使えません）']);
    expect(fieldErrors(html, 'password')).toContain('ユーザーIDと同じパスワードは使えません');
    const same = await refused({ loginId: 'Kenpo_2026x', password: 'kenpo_2026X', passwordConfirm: 'kenpo_2026X' });
    expect(fieldErrors(same.html, 'password')).toEqual(['ユーザーIDと同じパスワードは使えません']);
  });

  it('refuses a confirmation that differs', async () => {
    expect(fieldErrors((await refused({ passwordConfirm: 'Kenpo#2026y' })).html, 'passwordConfirm')).toEqual(['パスワードと確認用のパスワードが一致しません']);
    expect(fieldErrors((await refused({ passwordConfirm: '' })).html, 'passwordConfirm')).toEqual(['確認のため、パスワードをもう一度入力してください']);
    expect(fieldErrors((await refused({ emailConfirm: 'shoko@example.co' })).html, 'emailConfirm')).toEqual(['メールアドレスと確認用のメールアドレスが一致しません']);
  });

  it('refuses addresses that mail servers refuse, saying why, and keeps what was typed', async () => {
    const cases: [string, string][] = [
      ['', 'メールアドレスを入力してください'],
      ['_ab..cd---@example.co.jp', 'ドット（.）が連続するアドレスは、多くのメールサーバーで受信できないため使えません'],
      ['.shoko@example.co.jp', '@より前の部分がドット（.）で始まるアドレスは、多くのメールサーバーで受信できないため使えません'],
      ['shoko.@example.co.jp', '@の直前がドット（.）のアドレスは、多くのメールサーバーで受信できないため使えません'],
      ['shoko@example', '@より後ろ（ドメイン）の形式が正しくありません'],
      ['ｓｈｏｋｏ@example.co.jp', 'メールアドレスは半角英数字と記号で入力してください（全角文字・空白は使えません）'],
    ];
    for (const [email, message] of cases) {
      const { html } = await refused({ email, emailConfirm: email });
      expect(fieldErrors(html, 'email'), email).toEqual([message]);
      if (email) expect(html).toContain(`value="${email}"`);
    }
  });

  it('refuses a login ID an active account holds, without regard to case; a closed one frees it', async () => {
    const other = makeMember(ctx.db, ctx.clock, insurer, { nameKana: 'ホケン タロウ' });
    makeAccountRow(ctx.db, { memberId: other.id, loginId: 'Kenpo01', email: 'o@example.com', at: ctx.clock.now() });
    const res = await agent.submit('/portal/signup/account', { ...valid, loginId: 'kenpo01' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('このユーザーIDはすでに使われています。別のユーザーIDを入力してください');
    expect(res.text).toContain('value="kenpo01"');
    expect(ctx.readers.count('signup_registrations')).toBe(0);

    makeAccountRow(ctx.db, { memberId: other.id, loginId: 'old-id-2025', email: 'o@example.com', at: ctx.clock.now(), status: 'closed' });
    const ok = await agent.submit('/portal/signup/account', { ...valid, loginId: 'OLD-ID-2025' });
    expect(ok.status).toBe(303);
  });

  it('refuses a login ID that another member\u2019s open registration holds, until its code runs out', async () => {
    const other = makeMember(ctx.db, ctx.clock, insurer, { nameKana: 'ホケン タロウ' });
    const otherAgent = new TestAgent(ctx.app);
    await reachCodeStep(otherAgent, insurer, other, { loginId: 'Popular.ID', email: 'taro@example.com' });
    const res = await agent.submit('/portal/signup/account', { ...valid, loginId: 'popular.id' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('このユーザーIDはすでに使われています');

    ctx.clock.advance(10 * MINUTE);
    const later = await agent.submit('/portal/signup/account', { ...valid, loginId: 'popular.id' });
    expect(later.status).toBe(303);
  });

  it('lets the member come back to change the address: a new registration and code, the old code void', async () => {
    await agent.submit('/portal/signup/account', valid);
    const oldCode = await latestCode(ctx, 'shoko@example.co.jp');
    const verifyPage = await agent.get('/portal/signup/verify');
    expect(verifyPage.text).toContain('href="/portal/signup/account"');

    const back = await agent.get('/portal/signup/account');
    expect(back.text).toContain('value="kenpo-shoko"'); // the chosen ID is filled in again
    const res = await agent.post('/portal/signup/account', { ...valid, email: 'shoko2@example.jp', emailConfirm: 'shoko2@example.jp' });
    expect(res.headers.location).toBe('/portal/signup/verify');
    expect(visibleText((await agent.get('/portal/signup/verify')).text)).toContain('shoko2@example.jp に6桁の認証コードを送信しました'); // typed: shown whole
    const newCode = await latestCode(ctx, 'shoko2@example.jp');
    expect(ctx.readers.count('signup_registrations')).toBe(2);
    expect(ctx.readers.count('email_codes', 'voided_at IS NOT NULL')).toBe(1);

    if (oldCode !== newCode) {
      const wrong = await agent.post('/portal/signup/verify', { code: oldCode });
      expect(wrong.status).toBe(400);
    }
    const ok = await agent.submit('/portal/signup/verify', { code: newCode });
    expect(ok.headers.location).toBe('/portal/signup/done');
    expect(ctx.readers.accountsOf(member.id)[0]?.email).toBe('shoko2@example.jp');
  });

  it('sends a visitor without a verified identity back to step 1 with a message, writing nothing', async () => {
    const stranger = new TestAgent(ctx.app);
    const page = await stranger.get('/portal/signup/account');
    expect(page).toRedirectTo('/portal/signup?reason=start');
    await stranger.get('/portal/signup');
    const post = await stranger.post('/portal/signup/account', valid);
    expect(post).toRedirectTo('/portal/signup?reason=start');
    for (const path of ['/portal/signup/verify', '/portal/signup/done']) {
      expect((await stranger.get(path)).status).toBe(303);
    }
    const followed = await stranger.getFollow('/portal/signup/account');
    expect(visibleText(followed.text)).toContain('はじめに本人確認を行ってください');
    expect(ctx.readers.count('signup_registrations')).toBe(0);
  });

  it('lets the verified identity run out 30 minutes after the check, even on an active session', async () => {
    ctx.clock.advance(20 * MINUTE);
    expect((await agent.get('/portal/signup/account')).status).toBe(200); // keeps the session alive
    ctx.clock.advance(10 * MINUTE + 1);
    const post = await agent.post('/portal/signup/account', valid);
    expect(post).toRedirectTo('/portal/signup?reason=expired');
    expect(ctx.readers.count('signup_registrations')).toBe(0);
    const page = await agent.getFollow('/portal/signup/account');
    expect(visibleText(page.text)).toContain('はじめに本人確認を行ってください');
  });

  it('says when the expiry is what sent the member back', async () => {
    ctx.clock.advance(20 * MINUTE);
    await agent.get('/portal/signup/account');
    ctx.clock.advance(10 * MINUTE + 1);
    const page = await agent.getFollow('/portal/signup/account');
    expect(visibleText(page.text)).toContain('本人確認から30分以上たったため、手続きの有効期限が切れました');
  });
});

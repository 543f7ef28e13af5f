import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { GOOD_PASSWORD, identityFields, latestCode, reachCodeStep, submitIdentity } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: Insurer;
let member: Member;
beforeEach(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock);
  member = makeMember(ctx.db, ctx.clock, insurer);
});
afterEach(() => ctx.close());

const written = () =>
  ['attempts', 'signup_registrations', 'email_codes', 'accounts', 'outbox'].map((t) => ctx.readers.count(t)).reduce((a, b) => a + b, 0);

function form(fields: Record<string, string | string[]>): string {
  return Object.entries(fields)
    .flatMap(([k, v]) => [v].flat().map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
    .join('&');
}

describe('malformed posts to step 1', () => {
  it('answers missing fields with a message under each field, 400, nothing written', async () => {
    const agent = new TestAgent(ctx.app);
    const res = await agent.submit('/portal/signup', {});
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    for (const m of ['保険者指定コードを入力してください', '記号を入力してください', '番号を入力してください',
      '生年月日を選択してください', '氏名（カナ）を入力してください']) {
      expect(text).toContain(m);
    }
    // One message for the three pulldowns (COPY.md: one message per question).
    expect(text.match(/生年月日を選択してください/g)).toHaveLength(2); // summary + under the legend
    expect(text).not.toContain('生年月日の年を');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toMatch(/aria-describedby="[^"]*symbol-error"/);
    expect(written()).toBe(0);
  });

  it('answers repeated keys (arrays) with 400, nothing written', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    const fields = identityFields(insurer, member);
    for (const key of Object.keys(fields)) {
      const res = await agent.postRaw('/portal/signup', form({ ...fields, [key]: ['1', '2'] }));
      expect(res.status, key).toBe(400);
      expect(visibleText(res.text)).toContain('入力内容をご確認ください');
    }
    expect(written()).toBe(0);
  });

  it('answers a 100 kB field with 413 and a long one under the limit with a field message', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    const huge = await agent.post('/portal/signup', identityFields(insurer, member, { nameKana: 'ア'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    expect(visibleText(huge.text)).toContain('入力内容が長すぎます');
    await agent.get('/portal/signup');
    const long = await agent.post('/portal/signup', identityFields(insurer, member, { symbol: '1'.repeat(5000), nameKana: 'ア'.repeat(5000) }));
    expect(long.status).toBe(400);
    expect(visibleText(long.text)).toContain('記号は40文字以内で入力してください');
    expect(visibleText(long.text)).toContain('氏名（カナ）は50文字以内で入力してください');
    expect(written()).toBe(0);
  });

  it('refuses a post without the CSRF token with 403, nothing written', async () => {
    const res = await request(ctx.app).post('/portal/signup').type('form').send(identityFields(insurer, member));
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('ページの有効期限が切れました');
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    const wrongToken = await agent.post('/portal/signup', { ...identityFields(insurer, member), _csrf: 'forged' });
    expect(wrongToken.status).toBe(403);
    expect(written()).toBe(0);
  });

  it('refuses an impossible date, a name with kanji or latin letters, and a bad insurer code, each with its message', async () => {
    const agent = new TestAgent(ctx.app);
    const cases: [Record<string, string>, string, string][] = [
      [{ birthMonth: '2', birthDay: '30' }, 'birthDate', '生年月日が正しくありません（1985年2月30日はありません）'],
      [{ birthYear: '1899' }, 'birthDate', '生年月日の年は1900年以降から選択してください'],
      [{ birthYear: 'abcd' }, 'birthDate', '生年月日を選択し直してください'],
      [{ birthDay: '' }, 'birthDate', '生年月日を選択してください'],
      [{ nameKana: '健保 ショウコ' }, 'nameKana', '氏名（カナ）はひらがなまたはカタカナで入力してください。使えない文字が含まれています：「健」「保」'],
      [{ nameKana: 'Kenpo Shoko' }, 'nameKana', '使えない文字が含まれています：「K」「e」「n」「p」「o」'],
      [{ nameKana: 'ヽヾゝゞ' }, 'nameKana', '使えない文字が含まれています：「ヽ」「ヾ」「ゝ」「ゞ」'],
      [{ nameKana: '・ー ' }, 'nameKana', '氏名（カナ）をひらがなまたはカタカナで入力してください'],
      [{ insurerCode: 'ung kenpo!' }, 'insurerCode', '保険者指定コードは半角英数字で入力してください（例：ungkenpo）'],
      [{ symbol: '－－' }, 'symbol', '記号を入力してください'],
    ];
    for (const [overrides, field, message] of cases) {
      const res = await submitIdentity(agent, identityFields(insurer, member, overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      const error = new RegExp(`<p class="field__error" id="${field}-error">([\\s\\S]*?)</p>`).exec(res.text)?.[1] ?? '';
      expect(visibleText(error), JSON.stringify(overrides)).toContain(message);
      // What was typed is kept in the form.
      if (overrides.nameKana) expect(res.text).toContain(`value="${overrides.nameKana}"`);
    }
    expect(written()).toBe(0);
  });
});

describe('malformed posts to steps 2 and 3', () => {
  it('answers arrays, missing fields and a missing token at step 2 with 4xx, nothing written', async () => {
    const agent = new TestAgent(ctx.app);
    await submitIdentity(agent, identityFields(insurer, member));
    const before = written();
    await agent.get('/portal/signup/account');
    const valid = { loginId: 'kenpo-user', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'a@example.com', emailConfirm: 'a@example.com' };
    for (const key of Object.keys(valid)) {
      const res = await agent.postRaw('/portal/signup/account', form({ ...valid, [key]: ['x', 'y'] }));
      expect(res.status, key).toBe(400);
      expect(visibleText(res.text)).toContain('を正しく入力してください');
    }
    const missing = await agent.post('/portal/signup/account', {});
    expect(missing.status).toBe(400);
    expect(visibleText(missing.text)).toContain('ユーザーIDを入力してください');
    expect(visibleText(missing.text)).toContain('パスワードを入力してください');
    expect(visibleText(missing.text)).toContain('メールアドレスを入力してください');
    const noToken = await agent.http.post('/portal/signup/account').type('form').send(valid);
    expect(noToken.status).toBe(403);
    expect(written()).toBe(before);
  });

  it('answers arrays, long strings and a missing token at step 3 with 4xx, counting no try', async () => {
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, member, { loginId: 'kenpo-user', email: 'a@example.com' });
    const code = await latestCode(ctx, 'a@example.com');
    const before = written();
    await agent.get('/portal/signup/verify');
    expect((await agent.postRaw('/portal/signup/verify', form({ code: [code, code] }))).status).toBe(400);
    expect((await agent.post('/portal/signup/verify', { code: '1'.repeat(10_000) })).status).toBe(400);
    expect((await agent.post('/portal/signup/verify', {})).status).toBe(400);
    expect((await agent.http.post('/portal/signup/verify').type('form').send({ code })).status).toBe(403);
    expect((await agent.http.post('/portal/signup/verify/resend').type('form').send({})).status).toBe(403);
    expect(written()).toBe(before);
    expect(ctx.readers.count('accounts')).toBe(0);
  });
});

describe('secrets and logs', () => {
  it('never writes a password, code or hash into a log line, even on errors', async () => {
    const agent = new TestAgent(ctx.app);
    await reachCodeStep(agent, insurer, member, { loginId: 'log-check', email: 'log@example.com', password: 'Secret#Pass9' });
    const code = await latestCode(ctx, 'log@example.com');
    await agent.get('/portal/signup/verify');
    await agent.post('/portal/signup/verify', { code: code === '999999' ? '888888' : '999999' });
    await agent.post('/portal/signup/verify', { code });
    const hash = ctx.db.prepare('SELECT password_hash FROM accounts').pluck().get() as string;
    const codeHash = ctx.db.prepare('SELECT code_hash FROM email_codes').pluck().get() as string;
    const logs = ctx.logs.join('\n');
    expect(ctx.logs.length).toBeGreaterThan(5);
    for (const secret of ['Secret#Pass9', code, hash, codeHash, encodeURIComponent('Secret#Pass9')]) {
      expect(logs).not.toContain(secret);
    }
  });
});

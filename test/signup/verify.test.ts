import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { HOUR, MINUTE, SECOND } from '../../src/lib/clock.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { latestCode, latestMail, reachCodeStep, wrongCode } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: Insurer;
let member: Member;
let agent: TestAgent;
const EMAIL = 'member@example.co.jp';

beforeEach(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { name: 'U-NEXT HOLDINGS健康保険組合' });
  member = makeMember(ctx.db, ctx.clock, insurer);
  agent = new TestAgent(ctx.app);
  await reachCodeStep(agent, insurer, member, { loginId: 'member-01', email: EMAIL });
  await agent.get('/portal/signup/verify');
});
afterEach(() => ctx.close());

async function enter(code: string) {
  await agent.get('/portal/signup/verify');
  return agent.post('/portal/signup/verify', { code });
}
async function resend() {
  await agent.get('/portal/signup/verify');
  return agent.post('/portal/signup/verify/resend', {});
}
const codeRows = () =>
  ctx.readers.codesOf(member.id).map(({ failed_attempts, voided_at, consumed_at }) => ({ failed_attempts, voided_at, consumed_at }));

/** A voided or expired code: the message once, no code input, 新しい認証コードを送る as the primary button. */
function expectUnusablePage(html: string, message: string) {
  const text = visibleText(html);
  expect(text).toContain(message);
  expect(text.split('使えなくなりました').length + text.split('が過ぎました').length - 2).toBe(1);
  expect(html).not.toMatch(/name="code"/);
  expect(html).not.toContain('id="error-summary"');
  expect(html).toMatch(/<form method="post" action="\/portal\/signup\/verify\/resend" class="actions">[\s\S]*?<button type="submit" class="button button--block">新しい認証コードを送る<\/button>/);
  expect(html.match(/新しい認証コードを送る<\/button>/g)).toHaveLength(1);
}

describe('the e-mail code (signup step 3)', () => {
  it('refuses a wrong code, saying how many tries are left, and counts it', async () => {
    const code = await latestCode(ctx, EMAIL);
    const res = await enter(wrongCode(code));
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('認証コードが正しくありません。あと4回間違えると、このコードは使えなくなります');
    expect(codeRows()[0]).toMatchObject({ failed_attempts: 1, voided_at: null, consumed_at: null });
    expect(ctx.readers.count('attempts', "kind = 'code' AND success = 0 AND member_id = ?", member.id)).toBe(1);
    expect(ctx.readers.count('accounts')).toBe(0);
  });

  it('refuses what is not six digits without counting it as a try', async () => {
    for (const typed of ['12345', '1234567', 'abcdef', '']) {
      const res = await enter(typed);
      expect(res.status).toBe(400);
      expect(visibleText(res.text)).toMatch(/認証コードは、メールに記載の6桁の数字で入力してください|認証コードを入力してください/);
    }
    expect(codeRows()[0]!.failed_attempts).toBe(0);
  });

  it('voids the code at the 5th wrong entry; even the right code is then refused', async () => {
    const code = await latestCode(ctx, EMAIL);
    for (let i = 1; i <= 4; i++) await enter(wrongCode(code));
    const fifth = await enter(wrongCode(code));
    expectUnusablePage(fifth.text, '認証コードの入力の誤りが続いたため、このコードは使えなくなりました');
    expect(codeRows()[0]!.voided_at).not.toBeNull();
    const right = await enter(code);
    expect(right.status).toBe(400);
    expectUnusablePage(right.text, 'このコードは使えなくなりました');
    expect(ctx.readers.count('accounts')).toBe(0);

    ctx.clock.advance(61 * SECOND);
    await resend();
    const fresh = await latestCode(ctx, EMAIL);
    const ok = await enter(fresh);
    expect(ok.headers.location).toBe('/portal/signup/done');
  });

  it('allows at most 10 wrong entries an hour per member, across codes', async () => {
    let code = await latestCode(ctx, EMAIL);
    for (let i = 0; i < 5; i++) await enter(wrongCode(code));
    ctx.clock.advance(61 * SECOND);
    await resend();
    code = await latestCode(ctx, EMAIL);
    for (let i = 0; i < 4; i++) expect((await enter(wrongCode(code))).status).toBe(400);
    const tenth = await enter(wrongCode(code));
    expect(tenth.status).toBe(429);
    expect(visibleText(tenth.text)).toContain('しばらく入力を受け付けられません');
    const right = await enter(code);
    expect(right.status).toBe(429);
    expect(ctx.readers.count('accounts')).toBe(0);
    expect(ctx.readers.count('attempts', "kind = 'code' AND success = 0")).toBe(10);

    // An hour after the first wrong entries, a new code works.
    ctx.clock.advance(HOUR);
    await agent.get('/portal/signup'); // the idle session ran out meanwhile
    await reachCodeStep(agent, insurer, member, { loginId: 'member-01', email: EMAIL });
    const ok = await enter(await latestCode(ctx, EMAIL));
    expect(ok.headers.location).toBe('/portal/signup/done');
  });

  it('refuses the right code after 10 minutes, and the page says it has run out', async () => {
    const code = await latestCode(ctx, EMAIL);
    ctx.clock.advance(10 * MINUTE);
    const res = await enter(code);
    expect(res.status).toBe(400);
    expectUnusablePage(res.text, 'このコードの有効期限（09:10）が過ぎました');
    // Reloading the page says the same, once.
    expectUnusablePage((await agent.get('/portal/signup/verify')).text, 'このコードの有効期限（09:10）が過ぎました');
    expect(ctx.readers.count('accounts')).toBe(0);
  });

  it('accepts the right code just before the 10 minutes end', async () => {
    const code = await latestCode(ctx, EMAIL);
    ctx.clock.advance(10 * MINUTE - 1);
    expect((await enter(code)).headers.location).toBe('/portal/signup/done');
  });

  it('refuses a resend within 60 seconds by redirecting back to the code page, which says how long to wait', async () => {
    const first = await resend();
    expect(first.status).toBe(303);
    expect(first.headers.location).toMatch(/^\/portal\/signup\/verify\?refused=soon&retry=\d+$/);
    expect(visibleText((await agent.get(first.headers.location as string)).text)).toContain('認証コードの再送は1分に1回までです。あと60秒たってから');
    ctx.clock.advance(45 * SECOND);
    const second = await resend();
    expect(visibleText((await agent.get(second.headers.location as string)).text)).toContain('あと15秒たってから');
    // A forged or stale query shows nothing.
    expect(visibleText((await agent.get('/portal/signup/verify?refused=soon&retry=1')).text)).not.toContain('1分に1回までです');
    expect(visibleText((await agent.get('/portal/signup/verify?refused=<b>&retry=x')).text)).not.toContain('1分に1回までです');
    expect(ctx.readers.count('email_codes')).toBe(1);
  });

  it('resends after 60 seconds to the same address, voiding the old code', async () => {
    const oldCode = await latestCode(ctx, EMAIL);
    ctx.clock.advance(60 * SECOND);
    const res = await resend();
    expect(res).toRedirectTo('/portal/signup/verify?resent=1');
    const page = await agent.get('/portal/signup/verify?resent=1');
    expect(visibleText(page.text)).toContain('新しい認証コードを送信しました');
    expect(visibleText(page.text)).toContain('09:11まで有効');

    const mail = await latestMail(ctx, EMAIL, '認証コードのお知らせ');
    expect(mail.subject).toBe('【U-NEXT HOLDINGS健康保険組合】認証コードのお知らせ');
    expect(mail.text).toContain('09:11まで有効');
    const newCode = await latestCode(ctx, EMAIL);
    expect(ctx.smtp.mails.filter((m) => m.to === EMAIL && m.subject.includes('認証コード'))).toHaveLength(2);
    expect(codeRows().map((r) => r.voided_at !== null)).toEqual([true, false]);
    if (oldCode !== newCode) expect((await enter(oldCode)).status).toBe(400);
    expect((await enter(newCode)).headers.location).toBe('/portal/signup/done');
  });

  it('refuses the 6th resend within an hour, saying from when it is possible again', async () => {
    for (let i = 1; i <= 5; i++) {
      ctx.clock.advance(61 * SECOND);
      const res = await resend();
      expect(res.status, `resend ${i}`).toBe(303);
    }
    ctx.clock.advance(61 * SECOND);
    const sixth = await resend();
    expect(sixth.status).toBe(303);
    expect(visibleText((await agent.get(sixth.headers.location as string)).text)).toContain('認証コードの再送は1時間に5回までです。10:00以降に');
    expect(ctx.readers.count('email_codes')).toBe(6);
    await ctx.deliverMail();
    expect(ctx.smtp.mails.filter((m) => m.to === EMAIL)).toHaveLength(6);

    // The latest code still works meanwhile.
    expect((await enter(await latestCode(ctx, EMAIL))).headers.location).toBe('/portal/signup/done');
  });

  it('sends a resend an hour after the first code again', async () => {
    for (let i = 1; i <= 5; i++) {
      ctx.clock.advance(61 * SECOND);
      await resend();
    }
    ctx.clock.set(Date.parse('2026-04-01T10:00:00+09:00') + 1);
    await agent.get('/portal/signup'); // keep nothing of the idle session: sign in again
    await reachCodeStep(agent, insurer, member, { loginId: 'member-01', email: EMAIL });
    ctx.clock.advance(61 * SECOND);
    expect((await resend()).status).toBe(303);
  });

  it('sends the member who has no code yet to step 2', async () => {
    const fresh = makeMember(ctx.db, ctx.clock, insurer, { nameKana: 'ホケン タロウ' });
    const other = new TestAgent(ctx.app);
    await other.submit('/portal/signup', {
      insurerCode: insurer.code, symbol: fresh.symbol, number: fresh.number,
      birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: 'ホケン タロウ',
    });
    const page = await other.get('/portal/signup/verify');
    expect(page).toRedirectTo('/portal/signup/account?reason=nocode');
  });
});

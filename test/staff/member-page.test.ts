import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import { visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { lockSignup, makeAccountRow, makeAttempt, makeInsurer, makeMember, makeOutboxMail, makePasswordReset, makePendingSignup, makeTerms } from '../support/factories.js';
import { newSignedInStaff, type SignedIn } from '../support/staff-flows.js';

let ctx: TestContext;
let insurer: Insurer;
let sv: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa', name: 'A健康保険組合' });
  sv = await newSignedInStaff(ctx, 'sv-page', 'supervisor');
});
afterAll(() => ctx.close());

async function page(memberId: number): Promise<{ html: string; text: string; status: string }> {
  const res = await sv.agent.get(`/staff/members/${memberId}`);
  expect(res.status).toBe(200);
  const text = visibleText(res.text);
  const status = /staff-status--[a-z_]+">([^<]+)</.exec(res.text)?.[1] ?? '';
  return { html: res.text, text, status };
}

describe('the status shown for a member in each state', () => {
  it('未登録: no account, no signup', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const p = await page(m.id);
    expect(p.status).toBe('未登録');
    expect(p.text).toContain('まだ登録されていません');
  });

  it('認証コード送信済: a signup waiting for its open code, with when it was sent and until when', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    makePendingSignup(ctx.db, { memberId: m.id, loginId: 'pending01', email: 'pending@example.jp', at: now - 2 * MINUTE, codeExpiresAt: now + 8 * MINUTE });
    const p = await page(m.id);
    expect(p.status).toBe('認証コード送信済');
    expect(p.text).toContain('希望ユーザーID pending01');
    expect(p.text).toContain('p****@example.jp');
    expect(p.text).toContain('2026/4/1 08:58'); // sent
    expect(p.text).toContain('2026/4/1 09:08まで'); // valid until
  });

  it('未登録 again once that code has expired, saying so', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    makePendingSignup(ctx.db, { memberId: m.id, loginId: 'late01', email: 'late@example.jp', at: now - 20 * MINUTE, codeExpiresAt: now - 10 * MINUTE });
    const p = await page(m.id);
    expect(p.status).toBe('未登録');
    expect(p.text).toContain('送信した認証コードは有効期限が切れています');
  });

  it('登録済: login ID, masked address, last login and terms accepted', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    const accountId = makeAccountRow(ctx.db, { memberId: m.id, loginId: 'Kenpo01', email: 'kenpo@example.co.jp', at: now - DAY, lastLoginAt: now - HOUR });
    makeTerms(ctx.db, { insurerId: insurer.id, version: 1, at: now - DAY, acceptedBy: accountId });
    const p = await page(m.id);
    expect(p.status).toBe('登録済');
    expect(p.text).toContain('ユーザーID Kenpo01');
    expect(p.text).toContain('k****@example.co.jp');
    expect(p.text).toContain('最終ログイン 2026/4/1 08:00');
    expect(p.text).toContain('第1版に同意（2026/3/31 09:00）');
  });

  it('ロック中: a locked login, with the time the lock ends', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    makeAccountRow(ctx.db, { memberId: m.id, loginId: 'locked01', email: 'locked@example.jp', at: now - DAY, lockedUntil: now + 15 * MINUTE, failedLogins: 5 });
    const p = await page(m.id);
    expect(p.status).toBe('ロック中');
    expect(p.text).toContain('ログインの失敗が続いたため');
    expect(p.text).toContain('2026/4/1 09:15まで');
    expect(p.text).toContain('連続ログイン失敗 5回');
  });

  it('ロック中: a locked identity check, without an account', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    lockSignup(ctx.db, m.id, ctx.clock.now() + 30 * MINUTE, ctx.clock.now());
    const p = await page(m.id);
    expect(p.status).toBe('ロック中');
    expect(p.text).toContain('本人確認（初回登録）の失敗が続いたため');
  });

  it('年度リセット済: the account was closed by the yearly reset, and is listed as a past account', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    makeAccountRow(ctx.db, { memberId: m.id, loginId: 'lastyear01', email: 'ly@example.jp', at: ctx.clock.now() - 10 * DAY, status: 'closed', closedReason: 'yearly_reset' });
    const p = await page(m.id);
    expect(p.status).toBe('年度リセット済');
    expect(p.text).toContain('年度切り替えでID・パスワードがリセットされました');
    expect(p.text).toContain('lastyear01');
  });

  it('資格喪失: the registry says the member lost eligibility', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer, { status: 'lost' });
    const p = await page(m.id);
    expect(p.status).toBe('資格喪失');
    expect(p.text).toContain('資格 資格喪失');
  });
});

describe('what the member page shows', () => {
  it('lists every mail with its kind, masked address, queued and sent time, attempts and masked last error', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    makeOutboxMail(ctx.db, { kind: 'signup_code', memberId: m.id, to: 'hanako@example.jp', at: now - 60 * MINUTE, sentAt: now - 58 * MINUTE, attempts: 1 });
    makeOutboxMail(ctx.db, {
      kind: 'password_reset',
      memberId: m.id,
      to: 'hanako@example.jp',
      at: now - 5 * MINUTE,
      attempts: 3,
      lastError: '550 5.1.1 <hanako@example.jp>: Recipient address rejected',
    });
    const p = await page(m.id);
    expect(p.text).toContain('認証コード（初回登録） h****@example.jp 2026/4/1 08:00 2026/4/1 08:02 送信済 1');
    expect(p.text).toContain('パスワード再設定のご案内 h****@example.jp 2026/4/1 08:55 — 再送待ち 3 550 5.1.1 <h****@example.jp>: Recipient address rejected');
    expect(p.html).not.toContain('hanako@example.jp');
  });

  it('counts failed identity checks, logins and code entries of the last 24 hours only', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const now = ctx.clock.now();
    const accountId = makeAccountRow(ctx.db, { memberId: m.id, loginId: 'fails01', email: 'f@example.jp', at: now - 2 * DAY });
    makeAttempt(ctx.db, { kind: 'identity', memberId: m.id, at: now - HOUR });
    makeAttempt(ctx.db, { kind: 'identity', memberId: m.id, at: now - 2 * HOUR });
    makeAttempt(ctx.db, { kind: 'identity', memberId: m.id, at: now - 25 * HOUR });
    makeAttempt(ctx.db, { kind: 'identity', memberId: m.id, at: now - HOUR, success: true });
    makeAttempt(ctx.db, { kind: 'login', accountId, at: now - 30 * MINUTE });
    makeAttempt(ctx.db, { kind: 'code', memberId: m.id, accountId, at: now - 10 * MINUTE });
    const p = await page(m.id);
    expect(p.text).toContain('本人確認（初回登録） 2回 2026/4/1 08:00');
    expect(p.text).toContain('ログイン 1回 2026/4/1 08:30');
    expect(p.text).toContain('認証コード入力 1回 2026/4/1 08:50');
  });

  it('says when the latest terms version is not yet accepted', async () => {
    const other = makeInsurer(ctx.db, ctx.clock);
    const m = makeMember(ctx.db, ctx.clock, other);
    const now = ctx.clock.now();
    const accountId = makeAccountRow(ctx.db, { memberId: m.id, loginId: 'terms01', email: 't@example.jp', at: now - DAY });
    makeTerms(ctx.db, { insurerId: other.id, version: 1, at: now - DAY, acceptedBy: accountId });
    makeTerms(ctx.db, { insurerId: other.id, version: 2, at: now - HOUR });
    const p = await page(m.id);
    expect(p.text).toContain('第1版に同意（2026/3/31 09:00）／最新の第2版は未同意');
  });

  it('never contains a password hash, code hash, reset token, TOTP secret or a full e-mail address', async () => {
    const m = makeMember(ctx.db, ctx.clock, insurer, { email: 'registry.person@example.co.jp' });
    const now = ctx.clock.now();
    const accountId = makeAccountRow(ctx.db, { memberId: m.id, loginId: 'secret01', email: 'secret.person@example.co.jp', at: now - DAY });
    makePendingSignup(ctx.db, { memberId: m.id, loginId: 'secret02', email: 'pending.person@example.co.jp', at: now - MINUTE, codeExpiresAt: now + 9 * MINUTE });
    makePasswordReset(ctx.db, { accountId, at: now, tokenHash: 'feedface'.repeat(8) });
    makeOutboxMail(ctx.db, { kind: 'userid_reminder', memberId: m.id, accountId, to: 'secret.person@example.co.jp', at: now, lastError: 'rejected secret.person@example.co.jp' });

    const pages = [
      (await sv.agent.get(`/staff/members/${m.id}`)).text,
      (await sv.agent.get('/staff/')).text,
      (await sv.agent.post('/staff/search/kana', { nameKana: 'ダレモイナイ', birthYear: '1990', birthMonth: '1', birthDay: '1' })).text,
      (await sv.agent.get((await sv.agent.post('/staff/search/card', { insurerCode: 'kenpoa', symbol: m.symbol, number: m.number })).headers.location as string)).text,
      (await sv.agent.get('/staff/audit')).text,
      (await sv.agent.get('/staff/team')).text,
    ];
    const secrets = [
      ...(ctx.db.prepare('SELECT password_hash FROM accounts UNION ALL SELECT password_hash FROM signup_registrations UNION ALL SELECT password_hash FROM staff').pluck().all() as string[]),
      ...(ctx.db.prepare('SELECT code_hash FROM email_codes UNION ALL SELECT token_hash FROM password_resets').pluck().all() as string[]),
      ...(ctx.db.prepare('SELECT totp_secret FROM staff WHERE totp_secret IS NOT NULL').pluck().all() as string[]),
      ...(ctx.db.prepare('SELECT email FROM members WHERE email IS NOT NULL UNION ALL SELECT email FROM accounts UNION ALL SELECT email FROM signup_registrations UNION ALL SELECT to_address FROM outbox').pluck().all() as string[]),
      ...(ctx.db.prepare('SELECT text_body FROM outbox WHERE text_body IS NOT NULL').pluck().all() as string[]),
    ];
    expect(secrets.length).toBeGreaterThan(10);
    for (const html of pages) {
      expect(html).toContain('コールセンター管理画面');
      for (const secret of secrets) expect(html).not.toContain(secret);
      expect(html).not.toMatch(/\$argon2/);
    }
    expect(pages[0]).toContain('r****@example.co.jp');
    expect(pages[0]).toContain('s****@example.co.jp');
  });
});

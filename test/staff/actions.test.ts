import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { DAY, MINUTE } from '../../src/lib/clock.js';
import { visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { lockSignup, lockStaff, makeAccountRow, makeInsurer, makeMember, makePasswordReset } from '../support/factories.js';
import { newSignedInStaff, type SignedIn } from '../support/staff-flows.js';

let ctx: TestContext;
let a: Insurer;
let b: Insurer;
let op: SignedIn;
let sv: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  a = makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa', name: 'A健康保険組合' });
  b = makeInsurer(ctx.db, ctx.clock, { code: 'kenpob', name: 'B健康保険組合' });
  op = await newSignedInStaff(ctx, 'op-act', 'operator', ['kenpoa']);
  sv = await newSignedInStaff(ctx, 'sv-act', 'supervisor');
});
afterAll(() => ctx.close());

function registeredMember(insurer: Insurer, o: { lockedUntil?: number | null; signupLockedUntil?: number | null } = {}) {
  const m = makeMember(ctx.db, ctx.clock, insurer);
  const accountId = makeAccountRow(ctx.db, {
    memberId: m.id,
    loginId: `member${m.id}`,
    email: `member${m.id}@example.jp`,
    at: ctx.clock.now() - DAY,
    lockedUntil: o.lockedUntil ?? null,
    failedLogins: o.lockedUntil ? 5 : 0,
  });
  if (o.signupLockedUntil) lockSignup(ctx.db, m.id, o.signupLockedUntil, ctx.clock.now());
  return { member: m, accountId };
}

const outboxCount = () => ctx.readers.mailCount();
const account = (id: number) => ctx.readers.account(id);
const staffId = (login: string) => ctx.readers.staffId(login);

async function act(who: SignedIn, memberId: number, action: string, fields: Record<string, string | string[]>) {
  await who.agent.get(`/staff/members/${memberId}`);
  return who.agent.post(`/staff/members/${memberId}/${action}`, fields);
}

describe('sending the user-ID reminder', () => {
  it('an operator mails the login ID to the registered address; the mail arrives and the page lists it', async () => {
    const { member, accountId } = registeredMember(a);
    const mark = ctx.readers.lastAuditId();
    const res = await act(op, member.id, 'userid-reminder', { reason: '電話で問い合わせ、本人確認済み' });
    expect(res).toRedirectTo(`/staff/members/${member.id}`);
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'view_member', member_id: member.id }),
      expect.objectContaining({ action: 'send_userid', member_id: member.id, reason: '電話で問い合わせ、本人確認済み', staff_login: 'op-act' }),
    ]);
    const row = ctx.db
      .prepare<[number], { kind: string; to_address: string; account_id: number }>('SELECT kind, to_address, account_id FROM outbox WHERE member_id = ?')
      .get(member.id)!;
    expect(row).toEqual({ kind: 'userid_reminder', to_address: `member${member.id}@example.jp`, account_id: accountId });

    await ctx.deliverMail();
    const mail = await ctx.smtp.waitForMail((m) => m.to === `member${member.id}@example.jp`);
    expect(mail.subject).toBe('【A健康保険組合】ユーザーIDのお知らせ');
    expect(mail.text).toContain(`ユーザーID：member${member.id}`);
    expect(mail.text).toContain('http://127.0.0.1/portal/');

    const page = await op.agent.get(`/staff/members/${member.id}`);
    const text = visibleText(page.text);
    expect(text).toContain('ユーザーIDのお知らせメールを登録済みのアドレスへ送信しました');
    expect(text).toContain('ユーザーIDのお知らせ m****@example.jp 2026/4/1 09:00 2026/4/1 09:00 送信済 1');
    // The message is shown once.
    expect(visibleText((await op.agent.get(`/staff/members/${member.id}`)).text)).not.toContain('送信しました');
  });

  it('asks for a reason and sends nothing without one', async () => {
    const { member } = registeredMember(a);
    const [mails, audits] = [outboxCount(), ctx.readers.auditCount()];
    const res = await act(op, member.id, 'userid-reminder', { reason: '   ' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('理由を入力してください');
    expect(res.text).toContain('aria-invalid="true"');
    expect(outboxCount()).toBe(mails);
    // The page view, then the page shown again with the member's data: both audited.
    expect(ctx.readers.auditCount()).toBe(audits + 2);
    expect(ctx.readers.auditRows().at(-1)).toMatchObject({
      action: 'view_member',
      member_id: member.id,
      query: '再表示: ユーザーIDのお知らせメール',
      reason: null,
      detail: '受け付けず: 理由を入力してください',
    });
  });

  it('refuses when the member has no active account', async () => {
    const m = makeMember(ctx.db, ctx.clock, a);
    const [mails, audits] = [outboxCount(), ctx.readers.auditCount()];
    const res = await act(op, m.id, 'userid-reminder', { reason: '問い合わせ' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('登録済みのアカウントがないため、ユーザーIDのお知らせは送れません');
    expect(outboxCount()).toBe(mails);
    expect(ctx.readers.auditCount()).toBe(audits + 2);
    expect(ctx.readers.auditRows().at(-1)).toMatchObject({
      action: 'view_member',
      member_id: m.id,
      query: '再表示: ユーザーIDのお知らせメール',
      reason: '問い合わせ',
      detail: '受け付けず: 登録済みのアカウントがないため、ユーザーIDのお知らせは送れません',
    });
  });

  it("is a 404 for a member outside the operator's insurers, sending nothing", async () => {
    const { member } = registeredMember(b);
    await op.agent.get('/staff/');
    const [mails, audits] = [outboxCount(), ctx.readers.auditCount()];
    const res = await op.agent.post(`/staff/members/${member.id}/userid-reminder`, { reason: '問い合わせ' });
    expect(res.status).toBe(404);
    expect(outboxCount()).toBe(mails);
    // The attempt is audited with what was asked; no mail, no view.
    expect(ctx.readers.auditCount()).toBe(audits + 1);
    expect(ctx.readers.auditRows().at(-1)).toMatchObject({
      action: 'refused',
      staff_login: 'op-act',
      member_id: member.id,
      query: `POST /staff/members/${member.id}/userid-reminder`,
      detail: '404 ページが見つかりません',
    });
  });
});

describe('supervisor-only actions', () => {
  it('an operator gets 403 for unlock, close, the audit log, its export and the team page, and nothing changes', async () => {
    const until = ctx.clock.now() + 10 * MINUTE;
    const { member, accountId } = registeredMember(a, { lockedUntil: until, signupLockedUntil: until });
    await op.agent.get(`/staff/members/${member.id}`);
    const before = { account: account(accountId), audits: ctx.readers.auditCount(), sessions: ctx.readers.count('sessions') };
    for (const action of ['unlock', 'close']) {
      const res = await op.agent.post(`/staff/members/${member.id}/${action}`, { reason: 'テスト' });
      expect(res.status, action).toBe(403);
      expect(visibleText(res.text)).toContain('この操作はスーパーバイザーのみ行えます');
    }
    for (const path of ['/staff/audit', '/staff/audit/csv', '/staff/team']) {
      expect((await op.agent.get(path)).status, path).toBe(403);
    }
    expect((await op.agent.post(`/staff/team/${staffId('sv-act')}/unlock`, { reason: 'x' })).status).toBe(403);
    expect(account(accountId)).toEqual(before.account);
    expect(ctx.readers.signupLockedUntil(member.id)).toBe(until);
    // Nothing changed, and each refusal is in the trail with what was asked.
    expect(ctx.readers.auditRows().slice(-6)).toEqual([
      expect.objectContaining({ action: 'refused', member_id: member.id, query: `POST /staff/members/${member.id}/unlock`, detail: '403 この操作は行えません' }),
      expect.objectContaining({ action: 'refused', member_id: member.id, query: `POST /staff/members/${member.id}/close` }),
      expect.objectContaining({ action: 'refused', member_id: null, query: 'GET /staff/audit' }),
      expect.objectContaining({ action: 'refused', member_id: null, query: 'GET /staff/audit/csv' }),
      expect.objectContaining({ action: 'refused', member_id: null, query: 'GET /staff/team' }),
      expect.objectContaining({ action: 'refused', member_id: null, query: `POST /staff/team/${staffId('sv-act')}/unlock` }),
    ]);
    expect(ctx.readers.auditCount()).toBe(before.audits + 6);
    // The member page does not even offer them.
    const page = visibleText((await op.agent.get(`/staff/members/${member.id}`)).text);
    expect(page).toContain('ロック解除・アカウント停止はスーパーバイザーに依頼してください');
  });

  it('a supervisor unlocks a locked login and a locked identity check, with the reason audited', async () => {
    const until = ctx.clock.now() + 10 * MINUTE;
    const { member, accountId } = registeredMember(a, { lockedUntil: until, signupLockedUntil: until });
    const mark = ctx.readers.lastAuditId();
    const res = await act(sv, member.id, 'unlock', { reason: '本人から電話、確認済み' });
    expect(res.status).toBe(303);
    expect(account(accountId)).toMatchObject({ locked_until: null, failed_logins: 0 });
    expect(ctx.readers.signupLock(member.id)).toEqual({
      signup_locked_until: null,
      signup_unlocked_at: ctx.clock.now(),
    });
    expect(ctx.readers.auditRows(mark)[1]).toMatchObject({ action: 'unlock', member_id: member.id, reason: '本人から電話、確認済み', detail: 'ログインのロック、本人確認のロック' });
    const page = await sv.agent.get(`/staff/members/${member.id}`);
    expect(visibleText(page.text)).toContain('ログインのロックと本人確認のロックを解除しました');
    expect(/staff-status--[a-z_]+">([^<]+)</.exec(page.text)?.[1]).toBe('登録済');
  });

  it('a supervisor is told when there is nothing to unlock', async () => {
    const { member } = registeredMember(a);
    const audits = ctx.readers.auditCount();
    const res = await act(sv, member.id, 'unlock', { reason: '念のため' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('ロックされていないため、解除は不要です');
    expect(ctx.readers.auditCount()).toBe(audits + 2);
    expect(ctx.readers.auditRows().at(-1)).toMatchObject({ action: 'view_member', query: '再表示: ロック解除', reason: '念のため', detail: '受け付けず: ロックされていないため、解除は不要です' });
  });

  it('a supervisor closes an account: the member is signed out everywhere and must sign up again', async () => {
    const { member, accountId } = registeredMember(a);
    ctx.db.prepare("INSERT INTO sessions (sid, sess, expires_at, account_id) VALUES ('member-sid', '{}', ?, ?)").run(ctx.clock.now() + DAY, accountId);
    makePasswordReset(ctx.db, { accountId, at: ctx.clock.now(), tokenHash: 'ab'.repeat(32) });
    const mark = ctx.readers.lastAuditId();
    const res = await act(sv, member.id, 'close', { reason: '本人の依頼により停止' });
    expect(res.status).toBe(303);
    expect(account(accountId)).toMatchObject({ status: 'closed', closed_reason: 'staff', closed_by_staff_id: staffId('sv-act'), closed_at: ctx.clock.now() });
    expect(ctx.readers.sessionCount(accountId)).toBe(0);
    expect(ctx.readers.resetsOf(accountId)[0]?.voided_at).toBe(ctx.clock.now());
    expect(ctx.readers.auditRows(mark)[1]).toMatchObject({ action: 'close_account', member_id: member.id, reason: '本人の依頼により停止' });
    const page = await sv.agent.get(`/staff/members/${member.id}`);
    expect(/staff-status--[a-z_]+">([^<]+)</.exec(page.text)?.[1]).toBe('年度リセット済');
    expect(visibleText(page.text)).toContain('管理者により停止');
    // Nothing left to close or to remind.
    const again = await act(sv, member.id, 'close', { reason: 'もう一度' });
    expect(visibleText(again.text)).toContain('停止できるアカウントがありません');
  });

  it('a supervisor unlocks a staff member who failed to sign in 5 times', async () => {
    const lockedId = staffId('op-act');
    lockStaff(ctx.db, lockedId, ctx.clock.now());
    let res = await sv.agent.get('/staff/team');
    expect(visibleText(res.text)).toMatch(/op-act オペレーター kenpoa ロック中/);
    res = await sv.agent.post(`/staff/team/${lockedId}/unlock`, { reason: '' });
    expect(res.status).toBe(400);
    const mark = ctx.readers.lastAuditId();
    res = await sv.agent.post(`/staff/team/${lockedId}/unlock`, { reason: '本人確認済み' });
    expect(res.status).toBe(303);
    expect(ctx.readers.staffLock('op-act')).toEqual({ locked_at: null, failed_logins: 0 });
    expect(ctx.readers.auditRows(mark)).toEqual([expect.objectContaining({ action: 'unlock_staff', detail: 'op-act', reason: '本人確認済み' })]);
    expect(visibleText((await sv.agent.get('/staff/team')).text)).toContain('op-act のロックを解除しました');
    expect((await sv.agent.post('/staff/team/99999/unlock', { reason: 'x' })).status).toBe(404);
  });
});

describe('CSRF', () => {
  it('refuses every action and search form posted without its token, changing nothing', async () => {
    const until = ctx.clock.now() + 10 * MINUTE;
    const { member, accountId } = registeredMember(a, { lockedUntil: until });
    await sv.agent.get(`/staff/members/${member.id}`);
    const [mails, audits] = [outboxCount(), ctx.readers.auditCount()];
    for (const path of [
      `/staff/members/${member.id}/userid-reminder`,
      `/staff/members/${member.id}/unlock`,
      `/staff/members/${member.id}/close`,
      '/staff/search/card',
      '/staff/search/kana',
      `/staff/team/${staffId('op-act')}/unlock`,
      '/staff/logout',
    ]) {
      const res = await sv.agent.post(path, { _csrf: 'forged', reason: 'x', insurerCode: 'kenpoa', symbol: '1', number: '1' });
      expect(res.status, path).toBe(403);
    }
    expect(outboxCount()).toBe(mails);
    expect(ctx.readers.auditCount()).toBe(audits);
    expect(account(accountId).status).toBe('active');
    expect(account(accountId).locked_until).toBe(until);
    expect((await sv.agent.get('/staff/')).status).toBe(200); // still signed in
  });
});

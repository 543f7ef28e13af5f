import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { DAY } from '../../src/lib/clock.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { type SignedIn, newSignedInStaff } from '../support/staff-flows.js';

let ctx: TestContext;
let a: Insurer;
let b: Insurer;
let op: SignedIn;
let sv: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  a = makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa' });
  b = makeInsurer(ctx.db, ctx.clock, { code: 'kenpob' });
  op = await newSignedInStaff(ctx, 'op-trail', 'operator', ['kenpoa']);
  sv = await newSignedInStaff(ctx, 'sv-trail', 'supervisor');
});
afterAll(() => ctx.close());

describe('the audit trail of a working day', () => {
  it('holds one row per page that showed member data, per action and per refusal — whatever led to the page', async () => {
    const caller = makeMember(ctx.db, ctx.clock, a, { symbol: '500', number: '1', email: 'caller@example.jp' });
    makeAccountRow(ctx.db, { memberId: caller.id, loginId: 'caller01', email: 'caller@example.jp', at: ctx.clock.now() - DAY });
    const noAccount = makeMember(ctx.db, ctx.clock, a);
    const elsewhere = makeMember(ctx.db, ctx.clock, b);
    const mark = ctx.readers.lastAuditId();
    let pages = 0;
    let actions = 0;
    let refusals = 0;
    const expectStatus = async (p: Promise<{ status: number }>, status: number) => expect((await p).status).toBe(status);

    // The operator: a search (an action) opens the single hit (a page).
    await op.agent.get('/staff/');
    await expectStatus(op.agent.post('/staff/search/card', { insurerCode: 'kenpoa', symbol: '500', number: '1' }), 303);
    actions += 1;
    await expectStatus(op.agent.get(`/staff/members/${caller.id}`), 200);
    pages += 1;
    // 表示: the page again, addresses whole (a page, with its own kind of row).
    await expectStatus(op.agent.post(`/staff/members/${caller.id}/email`), 200);
    pages += 1;
    // An action refused for its empty reason, and one the member's state refuses: the page is shown again each time.
    await expectStatus(op.agent.post(`/staff/members/${caller.id}/userid-reminder`, { reason: '' }), 400);
    pages += 1;
    await expectStatus(op.agent.post(`/staff/members/${noAccount.id}/userid-reminder`, { reason: '電話' }), 400);
    pages += 1;
    // The reminder itself (an action), then the page after the redirect.
    await expectStatus(op.agent.post(`/staff/members/${caller.id}/userid-reminder`, { reason: '電話、本人確認済み' }), 303);
    actions += 1;
    await expectStatus(op.agent.get(`/staff/members/${caller.id}`), 200);
    pages += 1;
    // Out of scope and supervisor-only: refusals.
    await expectStatus(op.agent.get(`/staff/members/${elsewhere.id}`), 404);
    await expectStatus(op.agent.post(`/staff/members/${elsewhere.id}/userid-reminder`, { reason: '電話' }), 404);
    await expectStatus(op.agent.get('/staff/members/99999999'), 404);
    await expectStatus(op.agent.post(`/staff/members/${caller.id}/unlock`, { reason: 'x' }), 403);
    await expectStatus(op.agent.get(`/staff/members/${caller.id}/close`), 403);
    await expectStatus(op.agent.get('/staff/audit'), 403);
    await expectStatus(op.agent.get('/staff/team'), 403);
    refusals += 7;
    // Pages with no member data write nothing: the search form, a search refused before any look-up.
    await op.agent.get('/staff/');
    await expectStatus(op.agent.post('/staff/search/kana', { nameKana: '', birthYear: 'S50', birthMonth: '1', birthDay: '1' }), 400);

    // The supervisor: the close confirmation (a page), a refusal for state, the close (an action), the page after.
    await expectStatus(sv.agent.get(`/staff/members/${caller.id}/close`), 200);
    pages += 1;
    await expectStatus(sv.agent.post(`/staff/members/${noAccount.id}/close`, { reason: '依頼' }), 400);
    pages += 1;
    await expectStatus(sv.agent.post(`/staff/members/${caller.id}/close`, { reason: '本人の依頼' }), 303);
    actions += 1;
    await expectStatus(sv.agent.get(`/staff/members/${caller.id}`), 200);
    pages += 1;
    // The registry address: refused for its reason (the page again), then done (an action).
    await expectStatus(sv.agent.post(`/staff/members/${caller.id}/registry-email`, { registryEmail: 'new@example.jp', reason: '' }), 400);
    pages += 1;
    await expectStatus(sv.agent.post(`/staff/members/${caller.id}/registry-email`, { registryEmail: 'new@example.jp', reason: '受信できない' }), 303);
    actions += 1;
    // The team: a refused change and a done one.
    const opId = ctx.db.prepare("SELECT id FROM staff WHERE login_id = 'op-trail'").pluck().get() as number;
    await sv.agent.get(`/staff/team/${opId}`);
    await expectStatus(sv.agent.post(`/staff/team/${opId}/enable`, { reason: '念のため' }), 400);
    refusals += 1;
    await expectStatus(sv.agent.post(`/staff/team/${opId}/reset-authenticator`, { reason: '機種変更' }), 303);
    actions += 1;

    const rows = ctx.readers.auditRows(mark);
    expect(rows.length).toBe(pages + actions + refusals);
    const count = (...kinds: string[]) => rows.filter((r) => kinds.includes(r.action)).length;
    expect(count('view_member', 'reveal_email')).toBe(pages);
    expect(count('refused')).toBe(refusals);
    expect(count('search', 'send_userid', 'close_account', 'registry_email_change', 'staff_reset_authenticator')).toBe(actions);
    // Every row names who and from where; every member row names the member.
    for (const r of rows) expect(r.staff_login).toMatch(/^(op|sv)-trail$/);
    expect(rows.filter((r) => r.action === 'view_member').every((r) => r.member_id !== null)).toBe(true);
    // The refusals say what was asked, including the member of another insurer.
    expect(rows.filter((r) => r.action === 'refused').map((r) => r.query)).toEqual([
      `GET /staff/members/${elsewhere.id}`,
      `POST /staff/members/${elsewhere.id}/userid-reminder`,
      'GET /staff/members/99999999',
      `POST /staff/members/${caller.id}/unlock`,
      `GET /staff/members/${caller.id}/close`,
      'GET /staff/audit',
      'GET /staff/team',
      `POST /staff/team/${opId}/enable`,
    ]);
    expect(rows.find((r) => r.query === `GET /staff/members/${elsewhere.id}`)?.member_id).toBe(elsewhere.id);
  });
});

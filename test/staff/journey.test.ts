import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { TestClock } from '../../src/lib/clock.js';
import { DEMO_INSURER, DEMO_MEMBER, DEMO_STAFF, seedDemo } from '../../src/demo/seed.js';
import { visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccountRow } from '../support/factories.js';
import { addStaff, firstSignIn, signIn } from '../support/staff-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('a day at the call center, from an empty audit log', () => {
  it('the demo supervisor signs in with the documented password, an operator helps the demo member, and the audit log holds one row per thing done', async () => {
    expect(seedDemo({ db: ctx.db, clock: ctx.clock }).seeded).toBe(true);
    expect(ctx.readers.auditCount()).toBe(0);
    const member = ctx.db
      .prepare<[string, string], { id: number }>('SELECT id FROM members WHERE symbol = ? AND number = ?')
      .get(DEMO_MEMBER.symbol, DEMO_MEMBER.number)!;
    makeAccountRow(ctx.db, { memberId: member.id, loginId: 'shoko01', email: 'shoko@example.co.jp', at: ctx.clock.now() - 60_000 });
    let expected = 0;

    // The administrator adds an operator (1 row: staff_add).
    const opPassword = await addStaff(ctx, 'op-journey', 'operator', [DEMO_INSURER.code]);
    expected += 1;

    // First sign-ins: password_set, totp_enrolled, signin (3 rows each).
    const sv = await firstSignIn(ctx, DEMO_STAFF.loginId, DEMO_STAFF.initialPassword);
    const op = await firstSignIn(ctx, 'op-journey', opPassword);
    expected += 6;

    // The operator finds the caller by 記号・番号 (search), opens the page (view).
    await op.agent.get('/staff/');
    let res = await op.agent.post('/staff/search/card', { insurerCode: DEMO_INSURER.code, symbol: DEMO_MEMBER.symbol, number: DEMO_MEMBER.number });
    expect(res.text).toContain(`/staff/members/${member.id}`);
    res = await op.agent.get(`/staff/members/${member.id}`);
    expect(visibleText(res.text)).toContain('登録済');
    expected += 2;

    // A search that finds nobody still counts.
    await op.agent.post('/staff/search/kana', { nameKana: 'ダレモイナイ', birthYear: '1990', birthMonth: '1', birthDay: '1' });
    expected += 1;

    // The ID reminder (action), then the page again after the redirect (view).
    res = await op.agent.post(`/staff/members/${member.id}/userid-reminder`, { reason: 'IDを忘れたとの電話' });
    expect(res.status).toBe(303);
    await op.agent.get(res.headers.location as string);
    expected += 2;

    // An action refused for a missing reason shows the member's page again: a view.
    await op.agent.post(`/staff/members/${member.id}/userid-reminder`, { reason: '' });
    expected += 1;
    // A search form refused before any look-up shows nobody's data: no row.
    await op.agent.post('/staff/search/card', { insurerCode: '', symbol: '', number: '' });

    // The operator signs out (signout); a wrong password is audited too (signin_failed).
    await op.agent.post('/staff/logout');
    await op.agent.submit('/staff/login', { loginId: 'op-journey', password: 'Wrong#pass123' });
    expected += 2;

    // The supervisor signs in again (signin) and reads the audit log (view_audit).
    const sv2 = await signIn(ctx, sv);
    expected += 1;
    res = await sv2.get('/staff/audit');
    expected += 1;
    const text = visibleText(res.text);
    for (const label of ['ユーザーID通知メール送信', '加入者検索', '加入者情報の表示', 'ログアウト', 'ログイン失敗', '認証アプリ登録', 'パスワード設定', 'スタッフ追加']) {
      expect(text).toContain(label);
    }
    expect(text).toContain('IDを忘れたとの電話');
    expect(text).toContain(`${expected}件中`);
    expect(ctx.readers.auditCount()).toBe(expected);
  });
});

describe('the demo supervisor', () => {
  it('is created with the demo data, must change its password, and never in production', () => {
    const dev = openDatabase(':memory:');
    migrate(dev);
    seedDemo({ db: dev, clock: new TestClock(), config: { isProduction: false } });
    expect(dev.prepare('SELECT login_id, role, must_change_password, all_insurers FROM staff').all()).toEqual([
      { login_id: DEMO_STAFF.loginId, role: 'supervisor', must_change_password: 1, all_insurers: 1 },
    ]);
    dev.close();
    const prod = openDatabase(':memory:');
    migrate(prod);
    expect(seedDemo({ db: prod, clock: new TestClock(), config: { isProduction: true } }).seeded).toBe(true);
    expect(prod.prepare('SELECT count(*) FROM staff').pluck().get()).toBe(0);
    prod.close();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, cli, createTestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { type SignedIn, firstSignIn, newSignedInStaff, secretOnPage, signIn, staffCookie, totpCode } from '../support/staff-flows.js';

let ctx: TestContext;
let sv: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa', name: 'A健康保険組合' });
  makeInsurer(ctx.db, ctx.clock, { code: 'kenpob', name: 'B健康保険組合' });
  sv = await newSignedInStaff(ctx, 'sv-team', 'supervisor');
});
afterAll(() => ctx.close());

type StaffDbRow = { id: number; role: string; must_change_password: number; totp_secret: string | null; totp_enrolled_at: number | null; locked_at: number | null; failed_logins: number; disabled_at: number | null; password_hash: string };
const staffRow = (login: string) =>
  ctx.db
    .prepare<[string], StaffDbRow>(
      'SELECT id, role, must_change_password, totp_secret, totp_enrolled_at, locked_at, failed_logins, disabled_at, password_hash FROM staff WHERE login_id = ?',
    )
    .get(login)!;
const staffSessions = (id: number) => ctx.db.prepare('SELECT count(*) FROM sessions WHERE staff_id = ?').pluck().get(id) as number;
const initialPasswordOn = (html: string) =>
  /id="initial-password">([^<]+)</
    .exec(html)?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** A supervisor adds someone at /staff/team; returns the password the page showed once. */
async function addThroughTeamPage(fields: Record<string, string | string[]>) {
  await sv.agent.get('/staff/team');
  return sv.agent.post('/staff/team', fields);
}

describe('adding staff at /staff/team', () => {
  it('a supervisor adds a reviewer for one insurer; the one-time password is shown once, works once, and is audited', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await addThroughTeamPage({ staffLoginId: 'rv-new', role: 'reviewer', insurerCodes: ['kenpob'], reason: '調査票の審査担当' });
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('スタッフを追加しました');
    expect(text).toContain('この画面でのみ表示されます');
    const password = initialPasswordOn(res.text)!;
    expect(password).toMatch(/^\S{16}$/);
    expect(res.headers['cache-control']).toBe('no-store');

    const row = staffRow('rv-new');
    expect(row).toMatchObject({ role: 'reviewer', must_change_password: 1 });
    expect(row.password_hash).not.toContain(password);
    expect(ctx.db.prepare('SELECT i.code FROM staff_insurers si JOIN insurers i ON i.id = si.insurer_id WHERE si.staff_id = ?').pluck().all(row.id)).toEqual(['kenpob']);
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'staff_add', staff_login: 'sv-team', reason: '調査票の審査担当', detail: 'rv-new reviewer kenpob' }),
    ]);
    // The list shows the new person; the password is nowhere else.
    const list = await sv.agent.get('/staff/team');
    expect(visibleText(list.text)).toMatch(/rv-new 審査担当 kenpob 利用中 パスワード未設定/);
    expect(list.text).not.toContain(password);

    // The reviewer signs in with it and reads the console (their insurer only), acting on nobody.
    const rv = await firstSignIn(ctx, 'rv-new', password, 'しずかな湖畔の森の影から');
    const inB = makeMember(ctx.db, ctx.clock, ctx.db.prepare("SELECT * FROM insurers WHERE code = 'kenpob'").get() as never);
    const inA = makeMember(ctx.db, ctx.clock, ctx.db.prepare("SELECT * FROM insurers WHERE code = 'kenpoa'").get() as never);
    expect((await rv.agent.get(`/staff/members/${inB.id}`)).status).toBe(200);
    expect((await rv.agent.get(`/staff/members/${inA.id}`)).status).toBe(404);
    const page = await rv.agent.get(`/staff/members/${inB.id}`);
    expect(visibleText(page.text)).toContain('審査担当は加入者情報の閲覧のみ行えます');
    expect(page.text).not.toContain('/userid-reminder"');
    const before = ctx.readers.lastAuditId();
    expect((await rv.agent.post(`/staff/members/${inB.id}/userid-reminder`, { reason: '試し' })).status).toBe(403);
    expect((await rv.agent.get('/staff/team')).status).toBe(403);
    expect(ctx.readers.auditRows(before).map((r) => r.action)).toEqual(['refused', 'refused']);
  });

  it('refuses a taken login ID, a bad one, a supervisor limited to insurers and a missing reason, keeping what was typed and adding nobody', async () => {
    const count = () => ctx.db.prepare('SELECT count(*) FROM staff').pluck().get();
    const before = count();
    const mark = ctx.readers.lastAuditId();
    const cases: [Record<string, string | string[]>, string][] = [
      [{ staffLoginId: 'SV-TEAM', role: 'operator', reason: 'x' }, 'このログインIDはすでに使われています'],
      [{ staffLoginId: 'a b', role: 'operator', reason: 'x' }, 'ログインIDは半角英数字と . _ @ + - の3〜50文字で入力してください'],
      [{ staffLoginId: 'sv-limited', role: 'supervisor', insurerCodes: 'kenpoa', reason: 'x' }, 'スーパーバイザーはすべての保険者を担当します'],
      [{ staffLoginId: 'op-noreason', role: 'operator', insurerCodes: ['kenpoa', 'kenpob'], reason: ' ' }, '理由を入力してください'],
      [{ staffLoginId: 'op-norole', reason: 'x' }, '役割を選択してください'],
      [{ staffLoginId: 'op-badrole', role: 'admin', reason: 'x' }, '役割を選択してください'],
    ];
    for (const [fields, message] of cases) {
      const res = await addThroughTeamPage(fields);
      expect(res.status, message).toBe(400);
      expect(visibleText(res.text), message).toContain(message);
    }
    // What was typed comes back: the login ID and both insurer boxes.
    const res = await addThroughTeamPage({ staffLoginId: 'op-noreason', role: 'operator', insurerCodes: ['kenpoa', 'kenpob'], reason: '' });
    expect(res.text).toContain('value="op-noreason"');
    expect(res.text).toMatch(/id="insurer-kenpoa" name="insurerCodes" value="kenpoa" checked/);
    expect(res.text).toMatch(/id="role-operator" name="role" value="operator" checked/);
    expect(count()).toBe(before);
    // Each refused POST is one audit row with what was asked.
    const rows = ctx.readers.auditRows(mark);
    expect(rows.length).toBe(cases.length + 1);
    expect(rows.every((r) => r.action === 'refused' && r.query === 'POST /staff/team')).toBe(true);
    expect(rows[0]!.detail).toBe('スタッフ追加: このログインIDはすでに使われています');
  });
});

describe('per person at /staff/team/<id>', () => {
  it('reset-password: a new one-time password shown once, the old one dead, sessions ended, lock lifted; the person sets their own', async () => {
    const op = await newSignedInStaff(ctx, 'op-reset', 'operator', ['kenpoa']);
    const { id } = staffRow('op-reset');
    ctx.db.prepare('UPDATE staff SET locked_at = ?, failed_logins = 5 WHERE id = ?').run(ctx.clock.now(), id);
    expect(staffSessions(id)).toBe(1);
    const mark = ctx.readers.lastAuditId();
    await sv.agent.get(`/staff/team/${id}`);
    const res = await sv.agent.post(`/staff/team/${id}/reset-password`, { reason: 'パスワードを忘れた' });
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('パスワードを再発行しました');
    const password = initialPasswordOn(res.text)!;
    expect(staffRow('op-reset')).toMatchObject({ must_change_password: 1, locked_at: null, failed_logins: 0 });
    expect(staffSessions(id)).toBe(0);
    expect((await op.agent.get('/staff/')).headers.location).toBe('/staff/login');
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'staff_reset_password', reason: 'パスワードを忘れた', detail: 'op-reset（終了したセッション 1）' }),
    ]);

    // The old password no longer works; the new one leads to the password page, then straight to the code.
    const agent = new TestAgent(ctx.app);
    expect((await agent.submit('/staff/login', { loginId: 'op-reset', password: op.password })).status).toBe(401);
    let r = await agent.submit('/staff/login', { loginId: 'op-reset', password });
    expect(r.headers.location).toBe('/staff/login/password');
    r = await agent.submit('/staff/login/password', { newPassword: 'Xk-93_vQ^~[]{}', newPasswordConfirm: 'Xk-93_vQ^~[]{}' });
    expect(r.headers.location, visibleText(r.text)).toBe('/staff/login/code');
    ctx.clock.advance(30_000);
    r = await agent.submit('/staff/login/code', { code: totpCode(op.secret, ctx.clock.now()) });
    expect(r.headers.location).toBe('/staff/');
  });

  it('reset-authenticator: sessions end and the next sign-in enrols a new authenticator; the old one no longer works', async () => {
    const op = await newSignedInStaff(ctx, 'op-phone', 'operator', ['kenpoa']);
    const { id } = staffRow('op-phone');
    await sv.agent.get(`/staff/team/${id}`);
    const res = await sv.agent.post(`/staff/team/${id}/reset-authenticator`, { reason: '機種変更' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/staff/team/${id}`);
    expect(visibleText((await sv.agent.get(`/staff/team/${id}`)).text)).toContain('op-phone の認証アプリを解除しました');
    expect(staffRow('op-phone')).toMatchObject({ totp_secret: null, totp_enrolled_at: null });
    expect(staffSessions(id)).toBe(0);

    ctx.clock.advance(30_000);
    const agent = new TestAgent(ctx.app);
    let r = await agent.submit('/staff/login', { loginId: 'op-phone', password: op.password });
    expect(r.headers.location).toBe('/staff/login/enrol');
    r = await agent.get('/staff/login/enrol');
    const secret = secretOnPage(r.text);
    expect(secret).not.toBe(op.secret);
    expect((await agent.post('/staff/login/enrol', { code: totpCode(op.secret, ctx.clock.now()) })).status).toBe(401);
    r = await agent.post('/staff/login/enrol', { code: totpCode(secret, ctx.clock.now()) });
    expect(r.headers.location).toBe('/staff/');
  });

  it('disable ends the sessions at once, enable lets the person back with the same password; each with a reason and a row', async () => {
    const op = await newSignedInStaff(ctx, 'op-leave', 'operator');
    const { id } = staffRow('op-leave');
    const mark = ctx.readers.lastAuditId();
    await sv.agent.get(`/staff/team/${id}`);
    let res = await sv.agent.post(`/staff/team/${id}/disable`, { reason: '休職' });
    expect(res.status).toBe(303);
    expect(staffRow('op-leave').disabled_at).toBe(ctx.clock.now());
    expect(staffSessions(id)).toBe(0);
    expect((await op.agent.get('/staff/')).headers.location).toBe('/staff/login');
    let page = await sv.agent.get(`/staff/team/${id}`);
    expect(visibleText(page.text)).toContain('op-leave を利用停止にしました');
    res = await sv.agent.post(`/staff/team/${id}/enable`, { reason: '復帰' });
    expect(res.status).toBe(303);
    expect(staffRow('op-leave').disabled_at).toBeNull();
    await signIn(ctx, op);
    expect(ctx.readers.auditRows(mark).slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'staff_disable', reason: '休職', detail: 'op-leave（終了したセッション 1）' }),
      expect.objectContaining({ action: 'staff_enable', reason: '復帰', detail: 'op-leave' }),
    ]);
    page = await sv.agent.get('/staff/team');
    expect(visibleText(page.text)).toMatch(/op-leave オペレーター すべて 利用中/);
  });

  it('refuses what the state does not allow, a missing reason, and disabling oneself — one refusal row each, nothing changed', async () => {
    await newSignedInStaff(ctx, 'op-fine', 'operator');
    const { id } = staffRow('op-fine');
    const me = staffRow('sv-team').id;
    const mark = ctx.readers.lastAuditId();
    await sv.agent.get(`/staff/team/${id}`);
    const cases: [string, Record<string, string>, string][] = [
      [`/staff/team/${id}/enable`, { reason: '念のため' }, 'このスタッフは利用停止されていません'],
      [`/staff/team/${id}/unlock`, { reason: '念のため' }, 'このスタッフはロックされていません'],
      [`/staff/team/${id}/disable`, { reason: '' }, '理由を入力してください'],
      [`/staff/team/${me}/disable`, { reason: '誤操作' }, '自分のアカウントは利用停止できません'],
    ];
    for (const [url, fields, message] of cases) {
      const res = await sv.agent.post(url, fields);
      expect(res.status, url).toBe(400);
      expect(visibleText(res.text), url).toContain(message);
    }
    expect(staffRow('op-fine').disabled_at).toBeNull();
    expect(staffRow('sv-team').disabled_at).toBeNull();
    const rows = ctx.readers.auditRows(mark);
    expect(rows.map((r) => [r.action, r.query])).toEqual(cases.map(([url]) => ['refused', `POST ${url}`]));
    expect(rows[0]).toMatchObject({ reason: '念のため', detail: '利用再開（op-fine）: このスタッフは利用停止されていません' });
    // An unknown person is a 404, audited too.
    expect((await sv.agent.post('/staff/team/99999/disable', { reason: 'x' })).status).toBe(404);
    expect(ctx.readers.auditRows(mark).at(-1)).toMatchObject({ action: 'refused', query: 'POST /staff/team/99999/disable' });
  });
});

describe('the command-line twins', () => {
  it('portal staff reset-password | reset-authenticator | disable | enable change the same things, audited as the command line', async () => {
    const op = await newSignedInStaff(ctx, 'op-cli-twin', 'operator');
    const mark = ctx.readers.lastAuditId();
    let r = await cli(ctx, ['staff', 'reset-authenticator', '--login', 'op-cli-twin', '--reason', '紛失']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('authenticator reset: op-cli-twin');
    expect(staffRow('op-cli-twin').totp_enrolled_at).toBeNull();

    r = await cli(ctx, ['staff', 'reset-password', '--login', 'op-cli-twin']);
    expect(r.code, r.err).toBe(0);
    const password = /initial password[^:]*: (\S+)/.exec(r.out)![1]!;
    expect(staffRow('op-cli-twin').must_change_password).toBe(1);

    r = await cli(ctx, ['staff', 'disable', '--login', 'op-cli-twin']);
    expect(r.code).toBe(0);
    r = await cli(ctx, ['staff', 'disable', '--login', 'op-cli-twin']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('already disabled');
    r = await cli(ctx, ['staff', 'enable', '--login', 'op-cli-twin']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('staff enabled: op-cli-twin');
    r = await cli(ctx, ['staff', 'enable', '--login', 'nobody-here']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no staff "nobody-here"');

    expect(ctx.readers.auditRows(mark).map((x) => [x.action, x.staff_login, x.reason])).toEqual([
      ['staff_reset_authenticator', '(コマンド)', '紛失'],
      ['staff_reset_password', '(コマンド)', null],
      ['staff_disable', '(コマンド)', null],
      ['staff_enable', '(コマンド)', null],
    ]);
    // The person starts again: their own password, then a new authenticator.
    const again = await firstSignIn(ctx, 'op-cli-twin', password, 'a new passphrase for work');
    expect(again.secret).not.toBe(op.secret);
    expect(staffCookie(again.agent)).toBeDefined();
  });
});

describe('migration 0008', () => {
  it('rebuilds the staff table for the reviewer role, keeping ids, insurers and audit rows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      const before = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f < '0008');
      for (const f of before) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      const db = openDatabase(':memory:');
      migrate(db, dir);
      db.exec(`INSERT INTO insurers (id, code, name, created_at) VALUES (7, 'kenpoz', 'Z', 0);
        INSERT INTO staff (id, login_id, role, password_hash, all_insurers, created_at) VALUES (41, 'op-old', 'operator', 'h', 0, 1), (42, 'sv-old', 'supervisor', 'h', 1, 2);
        INSERT INTO staff_insurers (staff_id, insurer_id) VALUES (41, 7);
        INSERT INTO audit_log (at, staff_id, staff_login, client_ip, action) VALUES (1, 41, 'op-old', 'ip', 'signin');`);
      expect(() => db.prepare("INSERT INTO staff (login_id, role, password_hash, created_at) VALUES ('rv', 'reviewer', 'h', 0)").run()).toThrow(/CHECK/);

      expect(migrate(db).applied).toEqual(fs.readdirSync(MIGRATIONS_DIR).filter((f) => f >= '0008' && f.endsWith('.sql')).sort());
      expect(db.prepare('SELECT id, login_id, role FROM staff ORDER BY id').all()).toEqual([
        { id: 41, login_id: 'op-old', role: 'operator' },
        { id: 42, login_id: 'sv-old', role: 'supervisor' },
      ]);
      db.prepare("INSERT INTO staff (login_id, role, password_hash, created_at) VALUES ('rv', 'reviewer', 'h', 0)").run();
      expect(() => db.prepare("INSERT INTO staff (login_id, role, password_hash, created_at) VALUES ('ad', 'admin', 'h', 0)").run()).toThrow(/CHECK/);
      expect(db.prepare('SELECT staff_id FROM audit_log').pluck().get()).toBe(41);
      expect(db.prepare('SELECT staff_id FROM staff_insurers').pluck().get()).toBe(41);
      // Foreign keys are back on, and point at the new table.
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(() => db.prepare('INSERT INTO staff_insurers (staff_id, insurer_id) VALUES (999, 7)').run()).toThrow(/FOREIGN KEY/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

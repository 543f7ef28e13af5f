import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/lib/clock.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { cli, createTestContext, type TestContext } from '../support/app.js';
import { makeAccount, makeInsurer } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';
import { addStaff, firstSignIn, NEW_PASSWORD, secretOnPage, signIn, staffCookie, totpCode } from '../support/staff-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa', name: 'A健康保険組合' });
});
afterAll(() => ctx.close());

const staffRow = (login: string) =>
  ctx.db
    .prepare<[string], { id: number; password_hash: string; must_change_password: number; totp_enrolled_at: number | null; totp_last_step: number | null; failed_logins: number; locked_at: number | null }>(
      'SELECT id, password_hash, must_change_password, totp_enrolled_at, totp_last_step, failed_logins, locked_at FROM staff WHERE login_id = ?',
    )
    .get(login)!;

describe('staff accounts on the command line', () => {
  it('staff add prints a one-time initial password that meets the password rules, stored only as a hash', async () => {
    const r = await cli(ctx, ['staff', 'add', '--login', 'op-cli', '--role', 'operator', '--insurer', 'KENPOA']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('staff added: op-cli (operator, insurers KENPOA)');
    const password = /initial password[^:]*: (\S+)/.exec(r.out)![1]!;
    expect(password).toMatch(/^[A-Za-z0-9?!@#$%&()_+]{16}$/);
    const row = staffRow('op-cli');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(password);
    expect(row.must_change_password).toBe(1);
    const list = await cli(ctx, ['staff', 'list']);
    expect(list.out).toMatch(/op-cli\toperator\tkenpoa\tactive\tinitial password/);
  });

  it('refuses a duplicate login, an unknown insurer, a bad role and a supervisor limited to insurers, adding nothing', async () => {
    const count = () => ctx.readers.count('staff');
    const before = count();
    for (const argv of [
      ['staff', 'add', '--login', 'op-cli', '--role', 'operator'],
      ['staff', 'add', '--login', 'op-x', '--role', 'operator', '--insurer', 'nosuch'],
      ['staff', 'add', '--login', 'op-y', '--role', 'admin'],
      ['staff', 'add', '--login', 'sv-y', '--role', 'supervisor', '--insurer', 'kenpoa'],
      ['staff', 'add', '--login', 'a b', '--role', 'operator'],
      ['staff', 'add', '--role', 'operator'],
    ]) {
      const r = await cli(ctx, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/^portal staff: /);
    }
    expect(count()).toBe(before);
  });
});

describe('first sign-in', () => {
  it('forces a new password, then enrols an authenticator from the QR code and secret shown, then signs in', async () => {
    const initial = await addStaff(ctx, 'first-op', 'operator');
    const agent = new TestAgent(ctx.app);
    const anonymousCookie = (await agent.get('/staff/login'), staffCookie(agent));

    let res = await agent.post('/staff/login', { loginId: 'FIRST-OP', password: initial });
    expect(res).toRedirectTo('/staff/login/password');
    // The password alone signs nobody in.
    expect((await agent.get('/staff/')).headers.location).toBe('/staff/login');

    res = await agent.get('/staff/login/password');
    expect(visibleText(res.text)).toContain('新しいパスワードの設定');
    res = await agent.post('/staff/login/password', { newPassword: 'short1!', newPasswordConfirm: 'short1!' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('パスワードは12文字以上128文字以内で入力してください（現在7文字）');
    res = await agent.post('/staff/login/password', { newPassword: NEW_PASSWORD, newPasswordConfirm: 'Other#2026xx' });
    expect(visibleText(res.text)).toContain('確認用のパスワードが一致しません');
    res = await agent.post('/staff/login/password', { newPassword: initial, newPasswordConfirm: initial });
    expect(visibleText(res.text)).toContain('初期パスワードとは別のパスワードを設定してください');
    expect(res.text).not.toContain(initial);
    expect(staffRow('first-op').must_change_password).toBe(1);

    res = await agent.post('/staff/login/password', { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD });
    expect(res.headers.location).toBe('/staff/login/enrol');
    expect(staffRow('first-op').must_change_password).toBe(0);

    res = await agent.get('/staff/login/enrol');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<svg[^>]*viewBox/);
    const secret = secretOnPage(res.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    res = await agent.post('/staff/login/enrol', { code: '000000' === totpCode(secret, ctx.clock.now()) ? '111111' : '000000' });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain('認証コードが正しくありません');
    expect(staffRow('first-op').totp_enrolled_at).toBeNull();

    const mark = ctx.readers.lastAuditId();
    res = await agent.post('/staff/login/enrol', { code: totpCode(secret, ctx.clock.now()) });
    expect(res).toRedirectTo('/staff/');
    expect(staffCookie(agent)).not.toBe(anonymousCookie); // new session id at sign-in

    res = await agent.get('/staff/');
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('first-op（オペレーター）');
    const row = staffRow('first-op');
    expect(row.totp_enrolled_at).toBe(ctx.clock.now());
    expect(row.failed_logins).toBe(0);
    expect(ctx.readers.auditRows(mark).map((r) => r.action)).toEqual(['totp_enrolled', 'signin']);
  });

  it('a later sign-in asks for the password and then the authenticator code', async () => {
    const who = await firstSignIn(ctx, 'later-op', await addStaff(ctx, 'later-op', 'operator'));
    const agent = await signIn(ctx, who);
    expect((await agent.get('/staff/')).status).toBe(200);
    // Each sign-in records its password step and its code step: first sign-in and this one.
    const attempts = ctx.db.prepare("SELECT count(*) FROM attempts WHERE kind = 'staff_login' AND success = 1 AND staff_id = ?").pluck().get(staffRow('later-op').id);
    expect(attempts).toBe(4);
  });
});

describe('authenticator codes', () => {
  let who: Awaited<ReturnType<typeof firstSignIn>>;
  beforeAll(async () => {
    who = await firstSignIn(ctx, 'totp-op', await addStaff(ctx, 'totp-op', 'operator'));
  });

  async function passwordStep(): Promise<TestAgent> {
    const agent = new TestAgent(ctx.app);
    const res = await agent.submit('/staff/login', { loginId: who.login, password: who.password });
    expect(res.headers.location).toBe('/staff/login/code');
    await agent.get('/staff/login/code');
    return agent;
  }

  it('refuses a wrong code and counts it as a failure', async () => {
    ctx.clock.advance(30 * SECOND);
    const agent = await passwordStep();
    const right = totpCode(who.secret, ctx.clock.now());
    const res = await agent.post('/staff/login/code', { code: right === '123456' ? '654321' : '123456' });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain('認証コードが正しくありません');
    expect(staffRow('totp-op').failed_logins).toBe(1);
    expect((await agent.get('/staff/')).headers.location).toBe('/staff/login');
  });

  it('accepts the code of the previous 30-second step (clock drift) and resets the failures', async () => {
    ctx.clock.advance(60 * SECOND);
    const agent = await passwordStep();
    const res = await agent.post('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now() - 30 * SECOND) });
    expect(res.headers.location).toBe('/staff/');
    expect(staffRow('totp-op').failed_logins).toBe(0);
  });

  it('refuses a code already used, and an older one, even within its time window', async () => {
    ctx.clock.advance(60 * SECOND);
    const code = totpCode(who.secret, ctx.clock.now());
    let agent = await passwordStep();
    expect((await agent.post('/staff/login/code', { code })).headers.location).toBe('/staff/');

    agent = await passwordStep();
    let res = await agent.post('/staff/login/code', { code });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain('この認証コードは使用済みです');
    res = await agent.post('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now() - 30 * SECOND) });
    expect(visibleText(res.text)).toContain('この認証コードは使用済みです');
    expect(staffRow('totp-op').failed_logins).toBe(2);
    expect((await agent.get('/staff/')).headers.location).toBe('/staff/login');

    ctx.clock.advance(30 * SECOND);
    res = await agent.post('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now()) });
    expect(res.headers.location).toBe('/staff/');
  });

  it('a sign-in left at the code step for more than 10 minutes starts again', async () => {
    ctx.clock.advance(30 * SECOND);
    const agent = await passwordStep();
    ctx.clock.advance(10 * MINUTE + SECOND);
    const res = await agent.post('/staff/login/code', { code: totpCode(who.secret, ctx.clock.now()) });
    expect(res.headers.location).toBe('/staff/login');
  });
});

describe('locking, unlocking, disabling', () => {
  it('five failures in a row (password or code) lock the account; then even the right password is refused', async () => {
    const who = await firstSignIn(ctx, 'lock-op', await addStaff(ctx, 'lock-op', 'operator'));
    const agent = new TestAgent(ctx.app);
    for (let i = 0; i < 3; i++) {
      const res = await agent.submit('/staff/login', { loginId: who.login, password: 'Wrong#pass123' });
      expect(res.status).toBe(401);
      expect(visibleText(res.text)).toContain('ログインIDまたはパスワードが正しくありません');
    }
    ctx.clock.advance(30 * SECOND);
    await agent.submit('/staff/login', { loginId: who.login, password: who.password });
    const right = totpCode(who.secret, ctx.clock.now());
    let res = await agent.submit('/staff/login/code', { code: right === '000001' ? '000002' : '000001' });
    expect(staffRow('lock-op').failed_logins).toBe(4);
    res = await agent.post('/staff/login/code', { code: right === '000003' ? '000004' : '000003' });
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('このアカウントはロックされています');
    expect(staffRow('lock-op').locked_at).toBe(ctx.clock.now());

    // Locked: the right password answers exactly like an unknown login (no oracle), and is audited as such.
    const unknown = await new TestAgent(ctx.app).submit('/staff/login', { loginId: 'no-such-login', password: who.password });
    res = await agent.submit('/staff/login', { loginId: who.login, password: who.password });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toBe(visibleText(unknown.text).replace('no-such-login', who.login));
    expect(visibleText(res.text)).toContain('ログインIDまたはパスワードが正しくありません');
    expect(staffRow('lock-op').failed_logins).toBe(5);
    const failed = ctx.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'signin_failed' AND staff_login = 'lock-op'").pluck().get();
    expect(failed).toBe(6);
    expect(ctx.db.prepare("SELECT detail FROM audit_log WHERE staff_login = 'lock-op' ORDER BY id DESC LIMIT 1").pluck().get()).toBe('ロック中（パスワードは正しい）');
    expect((await cli(ctx, ['staff', 'list'])).out).toMatch(/lock-op\toperator\tall insurers\tlocked since/);

    // portal staff unlock clears it.
    const r = await cli(ctx, ['staff', 'unlock', '--login', 'lock-op']);
    expect(r.out).toBe('staff unlocked: lock-op');
    expect(staffRow('lock-op')).toMatchObject({ locked_at: null, failed_logins: 0 });
    expect((await signIn(ctx, who).then((a) => a.get('/staff/'))).status).toBe(200);
    expect((await cli(ctx, ['staff', 'unlock', '--login', 'nobody'])).code).toBe(1);
  });

  it('a disabled staff member is signed out at once and cannot sign in again', async () => {
    const who = await firstSignIn(ctx, 'gone-op', await addStaff(ctx, 'gone-op', 'operator'));
    expect((await who.agent.get('/staff/')).status).toBe(200);
    const r = await cli(ctx, ['staff', 'disable', '--login', 'gone-op']);
    expect(r.out).toContain('staff disabled: gone-op');
    expect((await who.agent.get('/staff/')).headers.location).toBe('/staff/login');

    const agent = new TestAgent(ctx.app);
    let res = await agent.submit('/staff/login', { loginId: 'gone-op', password: who.password });
    expect(res.status).toBe(401);
    const rightPassword = visibleText(res.text);
    expect(rightPassword).toContain('ログインIDまたはパスワードが正しくありません');
    res = await agent.submit('/staff/login', { loginId: 'gone-op', password: 'Wrong#pass123' });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toBe(rightPassword);
    expect((await cli(ctx, ['staff', 'disable', '--login', 'gone-op'])).code).toBe(1);
  });

  it('an unknown login ID gets the wrong-password answer, and the failed sign-in is audited', async () => {
    const mark = ctx.readers.lastAuditId();
    const agent = new TestAgent(ctx.app);
    const res = await agent.submit('/staff/login', { loginId: 'no-such-staff', password: 'Wrong#pass123' });
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain('ログインIDまたはパスワードが正しくありません');
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'signin_failed', staff_login: 'no-such-staff', detail: '存在しないログインID' }),
    ]);
  });
});

describe('the staff session', () => {
  let who: Awaited<ReturnType<typeof firstSignIn>>;
  beforeAll(async () => {
    who = await firstSignIn(ctx, 'session-op', await addStaff(ctx, 'session-op', 'operator'));
  });

  it('ends after 15 minutes without a request, and the sign-in page says so', async () => {
    const agent = await signIn(ctx, who);
    ctx.clock.advance(14 * MINUTE);
    expect((await agent.get('/staff/')).status).toBe(200);
    ctx.clock.advance(15 * MINUTE + SECOND);
    const res = await agent.get('/staff/');
    expect(res.headers.location).toBe('/staff/login');
    const page = await agent.get('/staff/login');
    expect(visibleText(page.text)).toContain('一定時間操作がなかったため、ログアウトしました');
  });

  it('sign-out is audited and ends the session', async () => {
    const agent = await signIn(ctx, who);
    await agent.get('/staff/');
    const mark = ctx.readers.lastAuditId();
    const res = await agent.post('/staff/logout');
    expect(res.headers.location).toBe('/staff/login?out=1');
    expect(ctx.readers.auditRows(mark)).toEqual([expect.objectContaining({ action: 'signout', staff_login: 'session-op' })]);
    expect((await agent.get('/staff/')).headers.location).toBe('/staff/login');
    expect(visibleText((await agent.get('/staff/login?out=1')).text)).toContain('ログアウトしました');
  });

  it('staff pages are never cached and never indexed', async () => {
    const agent = await signIn(ctx, who);
    for (const path of ['/staff/login', '/staff/', '/staff/members/1']) {
      const res = await agent.get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers['x-robots-tag'], path).toContain('noindex');
    }
    const login = await request(ctx.app).get('/staff/login');
    expect(login.text).toContain('<html lang="ja">');
    expect(visibleText(login.text)).toContain('コールセンター管理画面');
  });

  it("a member's session cookie does not open the console, not even renamed to the staff cookie", async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const member = new TestAgent(ctx.app);
    expect((await logIn(member, account.loginId, account.password)).status).toBe(303);
    const sid = member.cookie('portal.sid');
    expect(sid).toBeDefined();
    expect(ctx.readers.sessionCount(account.id)).toBe(1);

    const res = await member.get('/staff/');
    expect(res).toRedirectTo('/staff/login');
    const renamed = await request(ctx.app).get('/staff/').set('Cookie', `staff.sid=${sid}`);
    expect(renamed.headers.location).toBe('/staff/login');
  });

  it('a staff session cookie does not open the member pages', async () => {
    const agent = await signIn(ctx, who);
    const sid = staffCookie(agent)!;
    expect((await agent.get('/staff/')).status).toBe(200);
    for (const cookie of [`staff.sid=${sid}`, `portal.sid=${sid}`]) {
      const res = await request(ctx.app).get('/portal/mypage').set('Cookie', cookie);
      expect(res.status).not.toBe(200);
      if (res.status >= 300 && res.status < 400) expect(res.headers.location).toMatch(/^\/portal\/(\?.*)?$/);
      expect(res.text ?? '').not.toContain('session-op');
    }
  });

  it('refuses every sign-in form posted without its CSRF token', async () => {
    const agent = new TestAgent(ctx.app);
    await agent.get('/staff/login');
    for (const path of ['/staff/login', '/staff/login/code', '/staff/login/password', '/staff/login/enrol', '/staff/logout']) {
      const res = await agent.post(path, { _csrf: '', loginId: who.login, password: who.password, code: '123456' });
      expect(res.status, path).toBe(403);
      expect(visibleText(res.text)).toContain('ページの有効期限が切れました');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffPasswordProblems } from '../../src/lib/staff-password-rules.js';
import { passwordProblems } from '../../src/lib/password-rules.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { addStaff, firstSignIn, signIn } from '../support/staff-flows.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** Signs in with the initial password and tries `password` as the new one. */
async function trySetting(login: string, password: string) {
  const initial = await addStaff(ctx, login, 'operator');
  const agent = new TestAgent(ctx.app);
  await agent.submit('/staff/login', { loginId: login, password: initial });
  return agent.submit('/staff/login/password', { newPassword: password, newPasswordConfirm: password });
}

describe('staff passwords follow OWASP ASVS, not the members’ rule', () => {
  const good: [string, string][] = [
    ['a password manager’s, with symbols the members’ rule refuses', 'Xk-93_vQ*~^[]{}<>|;:"\'.,/\\`'],
    ['a passphrase with spaces', 'correct horse battery staple'],
    ['a Japanese passphrase with a full-width space', 'しずかな湖畔の　森の影から'],
    ['only lower-case letters, no composition rule', 'tulipsinamsterdam'],
    ['128 characters, emoji counted as one each', '🍣'.repeat(28) + 'x'.repeat(100)],
  ];
  for (const [what, password] of good) {
    it(`accepts ${what}, and it signs in afterwards`, async () => {
      const login = `op-${Math.random().toString(36).slice(2, 10)}`;
      const initial = await addStaff(ctx, login, 'operator');
      const who = await firstSignIn(ctx, login, initial, password);
      await signIn(ctx, who);
    });
  }

  const bad: [string, string, string][] = [
    ['11 characters', 'abcdefghijk', 'パスワードは12文字以上128文字以内で入力してください（現在11文字）'],
    ['129 characters', 'あ'.repeat(129), '（現在129文字）'],
    ['a common one, however long', 'password1234', 'よく使われていて推測されやすい'],
    ['a common one with a leet twist', 'P@ssw0rd12345', 'よく使われていて推測されやすい'],
    ['a control character', 'abc\u0007defghijklmn', '制御文字'],
  ];
  for (const [what, password, message] of bad) {
    it(`refuses ${what} with a message, keeping the initial password`, async () => {
      const res = await trySetting(`op-${Math.random().toString(36).slice(2, 10)}`, password);
      expect(res.status).toBe(400);
      expect(visibleText(res.text)).toContain(message);
    });
  }

  it('the page lists the staff rule, not the members’ one', async () => {
    const initial = await addStaff(ctx, 'op-rules', 'operator');
    const agent = new TestAgent(ctx.app);
    await agent.submit('/staff/login', { loginId: 'op-rules', password: initial });
    const text = visibleText((await agent.get('/staff/login/password')).text);
    expect(text).toContain('12〜128文字');
    expect(text).not.toContain('8〜20文字');
  });

  it('is a separate rule from the members’, sharing only the list of common passwords', () => {
    expect(passwordProblems('correct horse battery staple')).not.toEqual([]);
    expect(staffPasswordProblems('correct horse battery staple')).toEqual([]);
    expect(staffPasswordProblems('op-same-as-login', { loginId: 'OP-SAME-AS-LOGIN' })).toContain('ログインIDと同じパスワードは使えません');
  });
});

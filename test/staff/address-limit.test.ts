import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/lib/clock.js';
import { STAFF_ADDRESS_FAILURE_LIMIT } from '../../src/features/staff/auth/service.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { lockStaff } from '../support/factories.js';
import { addStaff } from '../support/staff-flows.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const signInWith = (agent: TestAgent, loginId: string, password: string) => agent.submit('/staff/login', { loginId, password });

describe('staff sign-in from one address', () => {
  it('pauses sign-ins from an address after repeated failures, without hashing or locking anyone, and resumes after 15 minutes', async () => {
    const password = await addStaff(ctx, 'op-limit', 'operator');
    const agent = new TestAgent(ctx.app);
    for (let i = 0; i < STAFF_ADDRESS_FAILURE_LIMIT; i++) {
      const res = await signInWith(agent, `nobody-${i}`, 'Wrong#pass1');
      expect(res.status).toBe(401);
    }
    const attemptsBefore = ctx.readers.attempts('staff_login').length;

    const paused = await signInWith(agent, 'op-limit', password);
    expect(paused.status).toBe(429);
    expect(visibleText(paused.text)).toContain('一時的にログインを受け付けていません');
    // Refused before any check: nothing recorded, the real account neither signed in nor counted.
    expect(ctx.readers.attempts('staff_login')).toHaveLength(attemptsBefore);
    expect(ctx.readers.staffLock('op-limit')).toEqual({ failed_logins: 0, locked_at: null });

    ctx.clock.advance(15 * MINUTE + SECOND);
    const later = await signInWith(agent, 'op-limit', password);
    expect(later).toRedirectTo('/staff/login/password');
  });

  it('answers a wrong password for a locked staff account like any wrong password', async () => {
    await addStaff(ctx, 'op-locked', 'operator');
    lockStaff(ctx.db, ctx.readers.staffId('op-locked'), ctx.clock.now());
    const res = await signInWith(new TestAgent(ctx.app), 'op-locked', 'Wrong#pass1');
    expect(res.status).toBe(401);
    expect(visibleText(res.text)).toContain('ログインIDまたはパスワードが正しくありません');
    expect(visibleText(res.text)).not.toContain('ロックされています');
  });
});

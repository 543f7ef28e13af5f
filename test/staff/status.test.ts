import { describe, expect, it } from 'vitest';
import { accountStatus, type StatusFacts } from '../../src/features/staff/members/status.js';

const now = Date.parse('2026-04-01T10:00:00+09:00');
const MIN = 60_000;
const base: StatusFacts = { now, member: { status: 'active', updatedAt: now - 100 * MIN, signupLockedUntil: null } };
const openCode = { codeCreatedAt: now - 2 * MIN, codeExpiresAt: now + 8 * MIN, codeConsumedAt: null, codeVoidedAt: null };

describe('account status as the call center names it', () => {
  it('is 未登録 for a member with no account and no signup', () => {
    expect(accountStatus(base)).toMatchObject({ code: 'unregistered', label: '未登録', reason: 'まだ登録されていません', at: null });
  });

  it('is 資格喪失 for a member who lost eligibility, whatever else is true', () => {
    const s = accountStatus({
      ...base,
      member: { status: 'lost', updatedAt: now - MIN, signupLockedUntil: now + MIN },
      activeAccount: { createdAt: now - 10 * MIN, lockedUntil: now + MIN },
    });
    expect(s).toMatchObject({ code: 'lost', label: '資格喪失', at: now - MIN });
  });

  it('is ロック中 while an active account is locked, with the time it ends', () => {
    const s = accountStatus({ ...base, activeAccount: { createdAt: now - 10 * MIN, lockedUntil: now + 15 * MIN } });
    expect(s).toMatchObject({ code: 'locked', label: 'ロック中', until: now + 15 * MIN });
    expect(s.reason).toContain('ログインの失敗');
  });

  it('is ロック中 while the identity check is locked, even without an account', () => {
    const s = accountStatus({ ...base, member: { ...base.member, signupLockedUntil: now + 30 * MIN } });
    expect(s).toMatchObject({ code: 'locked', until: now + 30 * MIN });
    expect(s.reason).toContain('本人確認');
  });

  it('is no longer locked once the lock time has passed', () => {
    const s = accountStatus({ ...base, activeAccount: { createdAt: now - 10 * MIN, lockedUntil: now - 1 } });
    expect(s.code).toBe('registered');
  });

  it('is 登録済 with an active account, from its creation time', () => {
    expect(accountStatus({ ...base, activeAccount: { createdAt: now - 5 * MIN, lockedUntil: null } })).toMatchObject({
      code: 'registered',
      label: '登録済',
      at: now - 5 * MIN,
    });
  });

  it('is 認証コード送信済 while the newest signup code is open, with when it was sent and until when', () => {
    expect(accountStatus({ ...base, pendingSignup: openCode })).toMatchObject({
      code: 'code_sent',
      label: '認証コード送信済',
      at: now - 2 * MIN,
      until: now + 8 * MIN,
    });
  });

  it('is not 認証コード送信済 when the code has expired, was used or was voided', () => {
    for (const p of [
      { ...openCode, codeExpiresAt: now },
      { ...openCode, codeConsumedAt: now - MIN },
      { ...openCode, codeVoidedAt: now - MIN },
    ]) {
      const s = accountStatus({ ...base, pendingSignup: p });
      expect(s.code).toBe('unregistered');
      expect(s.reason).toContain('登録の途中です');
    }
  });

  it('is 年度リセット済 when the newest account was closed by the yearly reset', () => {
    const s = accountStatus({ ...base, newestAccount: { status: 'closed', closedAt: now - 60 * MIN, closedReason: 'yearly_reset' } });
    expect(s).toMatchObject({ code: 'reset', label: '年度リセット済', at: now - 60 * MIN });
    expect(s.reason).toContain('年度切り替え');
  });

  it('says 管理者により停止 when staff closed the account', () => {
    const s = accountStatus({ ...base, newestAccount: { status: 'closed', closedAt: now - MIN, closedReason: 'staff' } });
    expect(s).toMatchObject({ code: 'reset', reason: '管理者により停止' });
  });

  it('prefers a signup in progress over an old closed account', () => {
    const s = accountStatus({
      ...base,
      newestAccount: { status: 'closed', closedAt: now - 60 * MIN, closedReason: 'yearly_reset' },
      pendingSignup: openCode,
    });
    expect(s.code).toBe('code_sent');
  });

  it('prefers 登録済 over an open code of an abandoned signup', () => {
    const s = accountStatus({ ...base, activeAccount: { createdAt: now - MIN, lockedUntil: null }, pendingSignup: openCode });
    expect(s.code).toBe('registered');
  });
});

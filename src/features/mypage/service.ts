import type { Deps } from '../../deps.js';
import { inTransaction } from '../../db/database.js';
import type { FieldErrors } from '../../http/forms.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { afterFailure, isLocked } from '../login/service.js';
import { createLoginQueries, type SignedInAccount } from '../login/queries.js';
import { createNoticeService } from '../notices/service.js';
import { applyNewPassword } from '../recovery/new-password.js';
import { createRecoveryQueries } from '../recovery/queries.js';
import { newPasswordErrors } from '../recovery/schemas.js';
import { findInsurerById, type Insurer } from '../registry/insurers.js';

export type ChangePasswordResult =
  | { ok: true }
  | { ok: false; reason: 'rules'; errors: FieldErrors }
  | { ok: false; reason: 'wrong_current'; lockedUntil: number | null }
  | { ok: false; reason: 'locked'; until: number }
  | { ok: false; reason: 'gone' };

/**
 * My page: what the member sees of themselves, and the password change. A wrong
 * current password counts like a failed login (5 in a row lock the account for
 * 15 minutes), so a session left open is no way to guess the password.
 */
export function createMypageService(deps: Deps) {
  const { db, clock, config } = deps;
  const login = createLoginQueries(db);
  const recovery = createRecoveryQueries(db);
  const notices = createNoticeService(deps);

  function overview(member: SignedInAccount): { insurer: Insurer | undefined; notices: ReturnType<typeof notices.current> } {
    return { insurer: findInsurerById(db, member.insurerId), notices: notices.current(member.insurerId) };
  }

  async function changePassword(p: {
    member: SignedInAccount;
    currentPassword: string;
    newPassword: string;
    newPasswordConfirm: string;
    clientIp: string;
    keepSessionId: string;
  }): Promise<ChangePasswordResult> {
    const row = login.byId(p.member.accountId);
    if (!row || row.status !== 'active') return { ok: false, reason: 'gone' };
    if (isLocked(row, clock.now())) return { ok: false, reason: 'locked', until: row.locked_until! };
    const errors = newPasswordErrors({ ...p, loginId: p.member.loginId });
    if (!errors.newPassword && p.newPassword === p.currentPassword) {
      errors.newPassword = '新しいパスワードには、現在のパスワードと異なるものを設定してください';
    }
    if (Object.keys(errors).length > 0) return { ok: false, reason: 'rules', errors };

    if (!(await verifyPassword(row.password_hash, p.currentPassword))) {
      const lockedUntil = inTransaction(db, () => {
        const now = clock.now();
        const fresh = login.byId(row.id)!;
        const next = afterFailure(fresh, now);
        login.setFailures(row.id, next.failedLogins, next.lockedUntil);
        login.recordAttempt({ success: false, memberId: row.member_id, accountId: row.id, clientIp: p.clientIp, at: now });
        return next.lockedUntil;
      });
      return { ok: false, reason: 'wrong_current', lockedUntil };
    }

    const hash = await hashPassword(p.newPassword);
    const done = inTransaction(db, () => {
      const account = recovery.activeById(row.id);
      const insurer = findInsurerById(db, row.insurer_id);
      if (!account || !insurer) return false;
      applyNewPassword({ db, clock, baseUrl: config.baseUrl }, recovery, {
        account, insurer, hash, via: 'change', keepSessionId: p.keepSessionId,
      });
      return true;
    });
    if (!done) return { ok: false, reason: 'gone' };
    deps.outbox.kick();
    return { ok: true };
  }

  return { overview, changePassword };
}

export type MypageService = ReturnType<typeof createMypageService>;

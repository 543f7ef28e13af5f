import type { FieldErrors } from '../../http/forms.js';
import { hashPassword } from '../../lib/passwords.js';
import type { AccountService, PasswordCheck, SignedInAccount } from '../accounts/service.js';
import { newPasswordErrors } from '../recovery/schemas.js';

export type ChangePasswordResult =
  | { ok: true; passwordChangedAt: number }
  | { ok: false; reason: 'rules'; errors: FieldErrors }
  | Exclude<PasswordCheck, { ok: true }>;

/**
 * My page's password change. The current
 * password is checked by the accounts service: a wrong one counts like a failed login (5 in
 * a row lock the account for 15 minutes), so a session left open is no way to guess it.
 */
export function createMypageService(deps: { accounts: AccountService }) {
  const { accounts } = deps;

  async function changePassword(p: {
    member: SignedInAccount;
    currentPassword: string;
    newPassword: string;
    newPasswordConfirm: string;
    clientIp: string;
    keepSessionId: string;
  }): Promise<ChangePasswordResult> {
    const errors = newPasswordErrors({ ...p, loginId: p.member.loginId });
    if (!errors.newPassword && p.newPassword === p.currentPassword) {
      errors.newPassword = '新しいパスワードには、現在のパスワードと異なるものを設定してください';
    }
    if (Object.keys(errors).length > 0) return { ok: false, reason: 'rules', errors };
    const checked = await accounts.checkPassword(p.member.accountId, p.currentPassword, p.clientIp);
    if (!checked.ok) return checked;
    const hash = await hashPassword(p.newPassword);
    // This session stays signed in under the new password; every other one ends.
    const passwordChangedAt = accounts.changePassword(p.member.accountId, hash, { via: 'change', keepSessionId: p.keepSessionId });
    return passwordChangedAt === undefined ? { ok: false, reason: 'gone' } : { ok: true, passwordChangedAt };
  }

  return { changePassword };
}

export type MypageService = ReturnType<typeof createMypageService>;

import { z } from 'zod';
import type { FieldErrors } from '../../http/forms.js';
import { textField } from '../../http/forms.js';
import { passwordProblems } from '../../lib/password-rules.js';

export const forgotPasswordSchema = z.object({
  loginId: textField('ユーザーID', { max: 100 }),
});

/** The reset page (and, with the current password, my page's change form). */
export const newPasswordFields = {
  newPassword: textField('新しいパスワード', { max: 200, trim: false }),
  newPasswordConfirm: textField('新しいパスワード（確認）', { max: 200, trim: false }),
};
export const newPasswordSchema = z.object(newPasswordFields);

export const NEW_PASSWORD_LABELS: Record<string, string> = {
  newPassword: '新しいパスワード',
  newPasswordConfirm: '新しいパスワード（確認）',
};

/** Reset links are 256-bit base64url tokens (lib/tokens.ts); anything else is not looked up. */
export const RESET_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * The signup rules for a new password (lib/password-rules.ts), every broken rule
 * named, then the confirmation. Empty when the new password is acceptable.
 */
export function newPasswordErrors(p: { newPassword: string; newPasswordConfirm: string; loginId: string }): FieldErrors {
  const errors: FieldErrors = {};
  const problems = passwordProblems(p.newPassword, { loginId: p.loginId });
  if (problems.length > 0) errors.newPassword = problems.join('。');
  else if (p.newPassword !== p.newPasswordConfirm) errors.newPasswordConfirm = '確認のため、同じパスワードをもう一度入力してください（一致しません）';
  return errors;
}

import { z } from 'zod';
import { textField } from '../../http/forms.js';
import { emailProblem, normalizeEmail } from '../../lib/email-address.js';
import { newPasswordFields } from '../recovery/schemas.js';

/** Change password: the current one, then a new one under the signup rules (checked by the service). */
export const changePasswordSchema = z.object({
  currentPassword: textField('現在のパスワード', { max: 200, trim: false }),
  ...newPasswordFields,
});

export const CHANGE_PASSWORD_LABELS: Record<string, string> = {
  currentPassword: '現在のパスワード',
  newPassword: '新しいパスワード',
  newPasswordConfirm: '新しいパスワード（確認）',
};

/** What a refused current password says (password change and e-mail change alike). */
export function currentPasswordProblem(
  refusal: { reason: 'wrong'; lockedUntil: number | null } | { reason: 'locked'; until: number } | { reason: 'address_throttled' },
): { status: number; message: string; locked?: number } {
  switch (refusal.reason) {
    case 'wrong':
      return refusal.lockedUntil !== null
        ? { status: 429, message: '', locked: refusal.lockedUntil }
        : { status: 400, message: '現在のパスワードが正しくありません' };
    case 'locked':
      return { status: 429, message: '', locked: refusal.until };
    case 'address_throttled':
      return {
        status: 429,
        message: 'このネットワークからのパスワードの誤りが続いたため、一時的に受け付けていません。15分ほどたってから、もう一度お試しください。',
      };
  }
}

/** Change e-mail, step 1: the current password (a stolen session alone cannot move the account), then the new address twice. */
export const changeEmailSchema = z
  .object({
    currentPassword: textField('現在のパスワード', { max: 200, trim: false }),
    email: textField('新しいメールアドレス', { max: 300 }),
    emailConfirm: textField('新しいメールアドレス（確認用）', { max: 300 }),
  })
  .superRefine((v, ctx) => {
    if (typeof v.email !== 'string' || typeof v.emailConfirm !== 'string') return;
    const problem = emailProblem(v.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['email'], message: problem });
    else if (normalizeEmail(v.emailConfirm) !== normalizeEmail(v.email)) {
      ctx.addIssue({ code: 'custom', path: ['emailConfirm'], message: '新しいメールアドレスと確認用のメールアドレスが一致しません' });
    }
  })
  .transform((v) => ({ currentPassword: v.currentPassword, email: normalizeEmail(v.email) }));

export const CHANGE_EMAIL_LABELS: Record<string, string> = {
  currentPassword: '現在のパスワード',
  email: '新しいメールアドレス',
  emailConfirm: '新しいメールアドレス（確認用）',
};

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

/** Change e-mail, step 1: the new address twice, checked the way signup checks it. */
export const changeEmailSchema = z
  .object({
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
  .transform((v) => ({ email: normalizeEmail(v.email) }));

export const CHANGE_EMAIL_LABELS: Record<string, string> = {
  email: '新しいメールアドレス',
  emailConfirm: '新しいメールアドレス（確認用）',
};

import { z } from 'zod';
import { textField } from '../../http/forms.js';

/**
 * The login form. Lengths are generous on purpose: the rules of signup are not
 * repeated here (a login must never say which rule an ID or password breaks),
 * the caps only keep hostile posts small.
 */
export const loginSchema = z.object({
  loginId: textField('ユーザーID', { max: 100 }),
  password: textField('パスワード', { max: 200, trim: false }),
  next: z.unknown().optional(),
});

export const LOGIN_LABELS: Record<string, string> = {
  loginId: 'ユーザーID',
  password: 'パスワード',
};

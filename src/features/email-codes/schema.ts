import { z } from 'zod';
import { CODE_FORMAT, normalizeCodeInput } from './service.js';

/** The code form of signup step 3 and of the e-mail change: six digits, full-width digits, spaces and hyphens folded away. */
export const emailCodeSchema = z.object({
  code: z
    .string({ error: (iss) => (iss.input === undefined ? '認証コードを入力してください' : '認証コードを正しく入力してください') })
    .max(50, '認証コードは6桁の数字で入力してください')
    .transform(normalizeCodeInput)
    .refine((v) => v !== '', '認証コードを入力してください')
    .refine((v) => v === '' || CODE_FORMAT.test(v), '認証コードは、メールに記載の6桁の数字で入力してください'),
});

import { z } from 'zod';
import { optionalTextField, textField } from '../../../http/forms.js';
import { isRealDate } from '../dates.js';
import { REJECT_REASONS } from './rules.js';

const date = (label: string) =>
  z
    .string({ error: `${label}を入力してください` })
    .trim()
    .refine((v) => v !== '', `${label}を入力してください`)
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isRealDate(v)), `${label}は 2026-09-30 の形で正しい日付を入力してください`);

const seen = z
  .string()
  .regex(/^\d{1,15}$/)
  .optional()
  .transform((v) => Number(v ?? '0'));

export const rejectSchema = z.object({
  reason: z.enum(REJECT_REASONS, { error: '差し戻しの理由を選んでください' }),
});

export const decisionSchema = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('continue'), reason: optionalTextField('理由', 500), seen }),
  z.object({ decision: z.literal('hold'), reason: optionalTextField('理由', 500), seen }),
  z.object({ decision: z.literal('remove'), removalDate: date('削除日'), reason: textField('削除の理由', { max: 500 }), seen }),
], { error: '判定を選んでください' });

export const requestDocumentsSchema = z.object({
  message: textField('依頼内容', { max: 1000 }),
  dueDate: date('提出期限'),
});

export const returnSchema = z.object({ message: textField('差し戻しの理由', { max: 1000 }) });

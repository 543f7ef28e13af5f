import { z } from 'zod';
import { optionalTextField, textField } from '../../http/forms.js';
import { canonicalCardValue, canonicalInsurerCode, isValidCardValue, isValidInsurerCode } from '../../lib/identifiers.js';
import { invalidKanaNameChars, kanaKey } from '../../lib/kana.js';
import { isRealDate } from '../../lib/time.js';
import { EMAIL_MAX, emailProblem, normalizeEmail } from '../../lib/email-address.js';
import { parseBirthYear } from '../../lib/wareki.js';
import { STAFF_LOGIN, STAFF_ROLES } from './team/service.js';

/**
 * The longest password field accepted, in UTF-16 units: 128 characters (the staff rule)
 * of up to 4 units each (an emoji with a modifier). Anything longer is refused before hashing.
 */
const PASSWORD_FIELD_MAX = 512;

/** Sign-in, step 1. Long values are refused before any hashing. */
export const signInSchema = z.object({
  loginId: textField('ログインID', { max: 50 }),
  password: textField('パスワード', { max: PASSWORD_FIELD_MAX, trim: false }),
});

/** Sign-in, step 2 (and enrolment): a six-digit code; full-width digits and spaces are forgiven. */
export const codeSchema = z.object({
  code: textField('認証コード', { max: 20 })
    .transform((v) => v.normalize('NFKC').replace(/\s/g, ''))
    .refine((v) => /^[0-9]{6}$/.test(v), '認証コードは6桁の数字で入力してください'),
});

export const newPasswordSchema = z
  .object({
    newPassword: textField('新しいパスワード', { max: PASSWORD_FIELD_MAX, trim: false }),
    newPasswordConfirm: textField('新しいパスワード（確認）', { max: PASSWORD_FIELD_MAX, trim: false }),
  })
  .refine((v) => v.newPassword === v.newPasswordConfirm, {
    path: ['newPasswordConfirm'],
    message: '確認用のパスワードが一致しません',
  });

const cardValue = (label: string) =>
  textField(label, { max: 40 })
    .transform(canonicalCardValue)
    .refine(isValidCardValue, `${label}を正しく入力してください`);

/** Look-up by insurer + 記号 + 番号: canonical forms, exact match only. */
export const cardSearchSchema = z.object({
  insurerCode: textField('保険者', { max: 40 })
    .transform(canonicalInsurerCode)
    .refine(isValidInsurerCode, '保険者を選択してください'),
  symbol: cardValue('記号'),
  number: cardValue('番号'),
});

const dateNumber = (label: string, max: number) =>
  textField(label, { max: 10 })
    .transform((v) => v.normalize('NFKC').trim())
    .refine((v) => /^[0-9]{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= max, `${label}を数字で入力してください`)
    .transform(Number);

/** Look-up by kana name (both kana keys) + birthdate: no partial names. */
export const kanaSearchSchema = z
  .object({
    nameKana: textField('氏名（カナ）', { max: 50 })
      .refine((v) => invalidKanaNameChars(v).length === 0, '氏名（カナ）はひらがなかカタカナで入力してください')
      .refine((v) => kanaKey(v).length >= 2, '氏名（カナ）を姓名とも入力してください'),
    // As callers say it: 1975, S50, 昭和50, H2, 平成2 …
    birthYear: textField('生年月日（年）', { max: 10 })
      .transform((v) => parseBirthYear(v) ?? 0)
      .refine((y) => y >= 1868, '生年月日（年）は西暦（1975）か和暦（S50、昭和50、H2 など）で入力してください'),
    birthMonth: dateNumber('生年月日（月）', 12),
    birthDay: dateNumber('生年月日（日）', 31),
  })
  .transform((v) => ({
    nameKana: v.nameKana,
    birthDate: `${String(v.birthYear).padStart(4, '0')}-${String(v.birthMonth).padStart(2, '0')}-${String(v.birthDay).padStart(2, '0')}`,
  }))
  .refine((v) => isRealDate(v.birthDate), { path: ['birthDay'], message: '生年月日が存在しない日付です' });

/** A supervisor replaces (or, left empty, clears) the society's pre-registered address. */
export const registryEmailSchema = z.object({
  // Not `email`: this is the member's address, which the browser must not fill with the supervisor's.
  registryEmail: optionalTextField('新しいメールアドレス', EMAIL_MAX)
    .superRefine((v, ctx) => {
      const problem = v === '' ? undefined : emailProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => (v === '' ? null : normalizeEmail(v))),
  reason: textField('理由', { max: 500 }),
});

/** Every action on a member asks why. */
export const reasonSchema = z.object({
  reason: textField('理由', { max: 500 }),
});

const isoDate = (label: string) =>
  optionalTextField(label, 20).refine((v) => v === '' || isRealDate(v), `${label}はYYYY-MM-DDの形で入力してください`);

/** Audit log filters (GET query): all optional. */
export const auditFilterSchema = z
  .object({
    staff: optionalTextField('スタッフ', 100),
    memberId: optionalTextField('加入者ID', 20).refine((v) => v === '' || /^[1-9][0-9]{0,14}$/.test(v), '加入者IDは数字で入力してください'),
    from: isoDate('開始日'),
    to: isoDate('終了日'),
    page: optionalTextField('ページ', 10).refine((v) => v === '' || /^[1-9][0-9]{0,5}$/.test(v), 'ページを正しく指定してください'),
  })
  .refine((v) => v.from === '' || v.to === '' || v.from <= v.to, { path: ['to'], message: '終了日は開始日以降の日付にしてください' });

/** `/staff/team`: a new staff member. Insurers are checkboxes: none, one or many values. */
export const addStaffSchema = z.object({
  // Not `loginId`: this is someone else's ID, which a password manager must not fill in.
  staffLoginId: textField('ログインID', { max: 50 }).refine((v) => STAFF_LOGIN.test(v), 'ログインIDは半角英数字と . _ @ + - の3〜50文字で入力してください'),
  role: z.enum(STAFF_ROLES as [string, ...string[]], { error: '役割を選択してください' }),
  insurerCodes: z
    .union([z.string().max(40), z.array(z.string().max(40)).max(100)], { error: '担当保険者を選び直してください' })
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((c) => c !== '')),
  reason: textField('理由', { max: 500 }),
});

/** `/staff/members/<id>`: a positive integer, or no such page. */
export function parseMemberId(raw: string | undefined): number | undefined {
  return raw !== undefined && /^[1-9][0-9]{0,14}$/.test(raw) ? Number(raw) : undefined;
}

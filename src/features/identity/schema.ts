import { z } from 'zod';
import { textField } from '../../http/forms.js';
import {
  canonicalCardValue,
  canonicalInsurerCode,
  isValidCardValue,
  isValidInsurerCode,
} from '../../lib/identifiers.js';
import { invalidKanaNameChars, kanaKey } from '../../lib/kana.js';
import { isoDateJst, isRealDate } from '../../lib/time.js';
import { warekiYearLabel } from '../../lib/wareki.js';

/**
 * The seven identity fields of signup step 1, shared with the forgotten-ID page
 * (DESIGN.md "Signup" 1). Everything a member may type for the same value is folded
 * here, at the edge: the service only ever sees canonical values.
 */
export interface IdentityInput {
  /** Canonical 保険者指定コード (half-width, lower case). */
  insurerCode: string;
  /** Canonical 記号 / 番号 (lib/identifiers.ts). */
  symbol: string;
  number: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** As typed (trimmed); the service computes the kana keys. */
  nameKana: string;
}

/** Birth years offered and accepted: from 1900 to this year. */
export const FIRST_BIRTH_YEAR = 1900;

/** Labels used by the error summary and the field macros. */
export const IDENTITY_LABELS: Record<string, string> = {
  insurerCode: '保険者指定コード',
  symbol: '記号',
  number: '番号',
  birthYear: '生年月日（年）',
  birthMonth: '生年月日（月）',
  birthDay: '生年月日（日）',
  nameKana: '氏名（カナ）',
};

const insurerCode = textField('保険者指定コード', { max: 40 })
  .transform(canonicalInsurerCode)
  .refine(isValidInsurerCode, '保険者指定コードは半角英数字で入力してください（例：ungkenpo）');

const cardValue = (label: string) =>
  textField(label, { max: 40 })
    .transform(canonicalCardValue)
    .refine((v) => v.length > 0, `${label}を入力してください`)
    .refine(isValidCardValue, `${label}は20文字以内の数字などで入力してください（記載のとおりに入力してください）`);

const pulldown = (label: string, pattern: RegExp) =>
  z
    .string({ error: `生年月日の${label}を選択してください` })
    .trim()
    .refine((v) => v !== '', `生年月日の${label}を選択してください`)
    .refine((v) => v === '' || pattern.test(v), `生年月日の${label}を選択し直してください`);

const nameKana = textField('氏名（カナ）', { max: 50 }).superRefine((value, ctx) => {
  const bad = invalidKanaNameChars(value);
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map((c) => (c.trim() === '' ? '（空白以外の記号）' : `「${c}」`)).join('');
    ctx.addIssue({
      code: 'custom',
      message: `氏名（カナ）はひらがなまたはカタカナで入力してください。使えない文字が含まれています：${shown}`,
    });
  } else if (kanaKey(value) === '') {
    ctx.addIssue({ code: 'custom', message: '氏名（カナ）をひらがなまたはカタカナで入力してください' });
  }
});

export const identitySchema = z
  .object({
    insurerCode,
    symbol: cardValue('記号'),
    number: cardValue('番号'),
    birthYear: pulldown('年', /^\d{4}$/),
    birthMonth: pulldown('月', /^\d{1,2}$/),
    birthDay: pulldown('日', /^\d{1,2}$/),
    nameKana,
  })
  .superRefine((v, ctx) => {
    // zod still runs this when a field failed a non-fatal check; only judge a complete date.
    const [y, m, d] = [v.birthYear, v.birthMonth, v.birthDay];
    if (typeof y !== 'string' || typeof m !== 'string' || typeof d !== 'string') return;
    if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return;
    if (Number(y) < FIRST_BIRTH_YEAR) {
      ctx.addIssue({ code: 'custom', path: ['birthYear'], message: `生年月日の年は${FIRST_BIRTH_YEAR}年以降から選択してください` });
    } else if (!isRealDate(isoDate(y, m, d))) {
      ctx.addIssue({ code: 'custom', path: ['birthDay'], message: `生年月日が正しくありません（${Number(y)}年${Number(m)}月${Number(d)}日はありません）` });
    }
  })
  .transform(
    (v): IdentityInput => ({
      insurerCode: v.insurerCode,
      symbol: v.symbol,
      number: v.number,
      birthDate: isoDate(v.birthYear, v.birthMonth, v.birthDay),
      nameKana: v.nameKana,
    }),
  );

function isoDate(y: string, m: string, d: string): string {
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export interface Option {
  value: string;
  text: string;
}

/**
 * The birth-date pulldowns. Years run newest first (most members were born in the
 * last 70 years, so the list starts near them), from this year (Japan time) to 1900.
 */
export function identityFormOptions(now: number): { years: Option[]; months: Option[]; days: Option[] } {
  const thisYear = Number(isoDateJst(now).slice(0, 4));
  if (cachedYears?.thisYear !== thisYear) {
    const years: Option[] = [];
    for (let y = thisYear; y >= FIRST_BIRTH_YEAR; y--) years.push({ value: String(y), text: warekiYearLabel(y) });
    cachedYears = { thisYear, years };
  }
  return { years: cachedYears.years, months: MONTHS, days: DAYS };
}

const MONTHS: Option[] = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), text: `${i + 1}月` }));
const DAYS: Option[] = Array.from({ length: 31 }, (_, i) => ({ value: String(i + 1), text: `${i + 1}日` }));
let cachedYears: { thisYear: number; years: Option[] } | undefined;

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
 * (docs/signup.md, step 1). Everything a member may type for the same value is folded
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

/** Birth years accepted: from 1900 to this year (the pulldown offers fewer, see identityFormOptions). */
export const FIRST_BIRTH_YEAR = 1900;
/**
 * The pulldown's years: members (被保険者) are people in work, from about 15 (a job after
 * 中学校) to 75 (then 後期高齢者医療制度 takes over), with a margin at the old end.
 */
export const YOUNGEST_MEMBER_AGE = 15;
export const OLDEST_MEMBER_AGE = 80;

/** Labels used by the error summary and the field macros. The date is one question, one message. */
export const IDENTITY_LABELS: Record<string, string> = {
  insurerCode: '保険者指定コード',
  symbol: '記号',
  number: '番号',
  birthDate: '生年月日',
  nameKana: '氏名（カナ）',
};

/** Where the error summary's link for a field goes, when not to the field's own id. */
export const IDENTITY_ANCHORS: Record<string, string> = { birthDate: 'birthYear' };

const insurerCode = textField('保険者指定コード', { max: 40 })
  .transform(canonicalInsurerCode)
  .refine(isValidInsurerCode, '保険者指定コードは半角英数字で入力してください（例：ungkenpo）');

const cardValue = (label: string) =>
  textField(label, { max: 40 })
    .transform(canonicalCardValue)
    .refine((v) => v.length > 0, `${label}を入力してください`)
    .refine(isValidCardValue, `${label}は20文字以内の数字などで入力してください（記載のとおりに入力してください）`);

/**
 * The three pulldowns as one answer (COPY.md: one message per question): any of them left
 * unselected gives 生年月日を選択してください, an impossible date (2月30日) says which day it tried.
 */
const birthDate = z.unknown().transform((raw, ctx): string => {
  const { year, month, day } = (raw ?? {}) as Record<string, unknown>;
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const parts = [year, month, day].map((p) => (typeof p === 'string' ? p.trim() : undefined));
  if (parts.some((p) => p === undefined || p === '')) return fail('生年月日を選択してください');
  const [y, m, d] = parts as [string, string, string];
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return fail('生年月日を選択し直してください');
  if (Number(y) < FIRST_BIRTH_YEAR) return fail(`生年月日の年は${FIRST_BIRTH_YEAR}年以降から選択してください`);
  const iso = isoDate(y, m, d);
  if (!isRealDate(iso)) return fail(`生年月日が正しくありません（${Number(y)}年${Number(m)}月${Number(d)}日はありません）`);
  return iso;
});

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

export const identitySchema = z.preprocess(
  // The form posts birthYear, birthMonth, birthDay; the schema judges them together as birthDate.
  (input) => {
    const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    return { ...body, birthDate: { year: body.birthYear, month: body.birthMonth, day: body.birthDay } };
  },
  z
    .object({
      insurerCode,
      symbol: cardValue('記号'),
      number: cardValue('番号'),
      birthDate,
      nameKana,
    })
    .transform(
      (v): IdentityInput => ({
        insurerCode: v.insurerCode,
        symbol: v.symbol,
        number: v.number,
        birthDate: v.birthDate,
        nameKana: v.nameKana,
      }),
    ),
);

function isoDate(y: string, m: string, d: string): string {
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export interface Option {
  value: string;
  text: string;
}

/**
 * The birth-date pulldowns. Years run from the youngest a member can be (this year − 15,
 * Japan time) back to the oldest (− 80): 66 years rather than 128, each with its 和暦.
 */
export function identityFormOptions(now: number): { years: Option[]; months: Option[]; days: Option[] } {
  const thisYear = Number(isoDateJst(now).slice(0, 4));
  if (cachedYears?.thisYear !== thisYear) {
    const years: Option[] = [];
    for (let y = thisYear - YOUNGEST_MEMBER_AGE; y >= thisYear - OLDEST_MEMBER_AGE; y--) years.push({ value: String(y), text: warekiYearLabel(y) });
    cachedYears = { thisYear, years };
  }
  return { years: cachedYears.years, months: MONTHS, days: DAYS };
}

const MONTHS: Option[] = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), text: `${i + 1}月` }));
const DAYS: Option[] = Array.from({ length: 31 }, (_, i) => ({ value: String(i + 1), text: `${i + 1}日` }));
let cachedYears: { thisYear: number; years: Option[] } | undefined;

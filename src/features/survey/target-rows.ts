import { canonicalCardValue, isValidCardValue } from '../../lib/identifiers.js';
import { invalidKanaNameChars, kanaKey } from '../../lib/kana.js';
import { isRealDate } from '../../lib/time.js';
import { RELATIONSHIPS, type Relationship } from './labels.js';

/** The header of `portal survey import-targets`, in this order. */
export const TARGET_COLUMNS = ['symbol', 'number', 'dependent_no', 'name', 'name_kana', 'birth_date', 'relationship', 'certified_on'] as const;

export interface TargetRow {
  symbol: string;
  number: string;
  dependentNo: string;
  name: string;
  nameKana: string;
  birthDate: string;
  relationship: Relationship;
  certifiedOn: string | null;
}

export function targetHeaderProblem(fields: string[]): string | undefined {
  const got = fields.map((f) => f.trim().toLowerCase());
  if (got.length === TARGET_COLUMNS.length && got.every((f, i) => f === TARGET_COLUMNS[i])) return undefined;
  return `見出し行は ${TARGET_COLUMNS.join(',')} にしてください`;
}

const MAX_NAME = 100;
const SLASH_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

/** Checks one data row (not yet against the registry); returns the row or every reason it is bad. */
export function checkTargetRow(fields: string[], today: string): TargetRow | string[] {
  if (fields.length !== TARGET_COLUMNS.length) return [`列の数が${TARGET_COLUMNS.length}ではなく${fields.length}です`];
  const [symbolRaw, numberRaw, noRaw, nameRaw, kanaRaw, birthRaw, relRaw, certRaw] = fields.map((f) => f.trim()) as [
    string, string, string, string, string, string, string, string,
  ];
  const problems: string[] = [];
  const symbol = cardValue('symbol（記号）', symbolRaw, problems);
  const number = cardValue('number（番号）', numberRaw, problems);
  const dependentNo = canonicalCardValue(noRaw);
  if (!/^[0-9]{1,4}$/.test(dependentNo)) problems.push(`dependent_no「${shown(noRaw)}」は数字（4桁まで）にしてください`);
  if (nameRaw === '') problems.push('name（氏名）が空です');
  else if (nameRaw.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(nameRaw)) problems.push('name（氏名）が長すぎるか、制御文字を含みます');
  if (kanaRaw === '') problems.push('name_kana（氏名カナ）が空です');
  else {
    const bad = invalidKanaNameChars(kanaRaw);
    if (bad.length > 0 || kanaKey(kanaRaw) === '' || kanaRaw.length > MAX_NAME) {
      problems.push(`name_kana（氏名カナ）「${shown(kanaRaw)}」はカナで書いてください`);
    }
  }
  const birthDate = dateOf('birth_date（生年月日）', birthRaw, problems);
  if (birthDate && birthDate > today) problems.push(`birth_date（生年月日）「${birthRaw}」は未来の日付です`);
  if (!(RELATIONSHIPS as readonly string[]).includes(relRaw)) {
    problems.push(`relationship（続柄）「${shown(relRaw)}」は ${RELATIONSHIPS.join(' ')} のいずれかにしてください`);
  }
  const certifiedOn = certRaw === '' ? null : dateOf('certified_on（認定日）', certRaw, problems);
  if (problems.length > 0) return problems;
  return {
    symbol: symbol!, number: number!, dependentNo, name: nameRaw, nameKana: kanaRaw, birthDate: birthDate!,
    relationship: relRaw as Relationship, certifiedOn: certifiedOn ?? null,
  };
}

function cardValue(label: string, raw: string, problems: string[]): string | undefined {
  const canonical = canonicalCardValue(raw);
  if (raw === '') problems.push(`${label}が空です`);
  else if (!isValidCardValue(canonical)) problems.push(`${label}「${shown(raw)}」は使えません`);
  else return canonical;
  return undefined;
}

function dateOf(label: string, raw: string, problems: string[]): string | undefined {
  const m = SLASH_DATE.exec(raw);
  const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : raw;
  if (!isRealDate(iso)) {
    problems.push(`${label}「${shown(raw)}」は YYYY-MM-DD の実在する日付にしてください`);
    return undefined;
  }
  return iso;
}

function shown(value: string, max = 40): string {
  const visible = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return visible.length > max ? visible.slice(0, max) + '…' : visible;
}

import { emailProblem, normalizeEmail } from '../../../lib/email-address.js';
import { canonicalCardValue, canonicalInsurerCode, isValidCardValue } from '../../../lib/identifiers.js';
import { invalidKanaNameChars, kanaKey, kanaVariantKey } from '../../../lib/kana.js';

/** docs/registry-import.md: the header, in this order. */
export const REGISTRY_COLUMNS = ['insurer_code', 'symbol', 'number', 'birth_date', 'name', 'name_kana', 'email', 'status'] as const;

/** A registry row in the form the members table stores it. */
export interface RegistryRow {
  insurerId: number;
  symbol: string;
  number: string;
  birthDate: string;
  name: string;
  nameKana: string;
  kanaKey: string;
  kanaVariantKey: string;
  email: string | null;
  status: 'active' | 'lost';
}

/** Why the header is not the registry's, or undefined. Names are compared trimmed, without case. */
export function headerProblem(fields: string[]): string | undefined {
  const got = fields.map((f) => f.trim().toLowerCase());
  if (got.length === REGISTRY_COLUMNS.length && got.every((f, i) => f === REGISTRY_COLUMNS[i])) return undefined;
  return `見出し行は ${REGISTRY_COLUMNS.join(',')} にしてください（この行は ${shown(fields.join(','), 120)}）`;
}

const MAX_NAME = 100;
/** Digits already in canonical form: the common case, which needs no Unicode normalisation. */
const CANONICAL_DIGITS = /^(?:0|[1-9][0-9]{0,19})$/;
/** Full-width katakana, ー and spaces only, without ヴ ヂ ヅ: valid, and both keys are equal. */
const PLAIN_KATAKANA = /^[\u30a1-\u30c1\u30c3-\u30c4\u30c6-\u30f3\u30fc \u3000]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Excel rewrites dates as 1985/4/1 when it saves a CSV; that is accepted and folded. */
const SLASH_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks one data row. Returns the row to store, or every reason it cannot be stored
 * (Japanese, naming the column and quoting the value).
 */
export class RowChecker {
  private lastSymbol = { raw: '', canonical: '' };
  private lastInsurer = { raw: '', id: 0 };
  /** Insurers of the rows checked so far. */
  readonly insurerIds = new Set<number>();

  constructor(
    /** Canonical insurer code → id, for every insurer that exists. */
    private readonly insurers: ReadonlyMap<string, number>,
    /** Today in Japan, YYYY-MM-DD: a birth date after it is refused. */
    private readonly today: string,
  ) {}

  check(fields: string[]): RegistryRow | string[] {
    if (fields.length !== REGISTRY_COLUMNS.length) {
      return [`列の数が${REGISTRY_COLUMNS.length}ではなく${fields.length}です（値の中の , は値を "…" で囲んでください）`];
    }
    const problems: string[] = [];
    const insurerId = this.insurer(fields[0]!.trim(), problems);
    const symbol = this.symbol(fields[1]!.trim(), problems);
    const number = cardValue('number（番号）', fields[2]!.trim(), problems);
    const birthDate = birthDateOf(fields[3]!.trim(), this.today, problems);
    const name = fields[4]!.trim();
    if (name === '') problems.push('name（氏名）が空です');
    else if (name.length > MAX_NAME) problems.push(`name（氏名）が${MAX_NAME}文字を超えています`);
    else if (CONTROL.test(name)) problems.push('name（氏名）に制御文字が含まれています');
    const nameKana = fields[5]!.trim();
    const keys = kanaOf(nameKana, problems);
    const email = emailOf(fields[6]!.trim(), problems);
    const status = statusOf(fields[7]!.trim(), problems);
    if (problems.length > 0) return problems;
    return {
      insurerId: insurerId!, symbol: symbol!, number: number!, birthDate: birthDate!, name, nameKana,
      kanaKey: keys!.key, kanaVariantKey: keys!.variant, email, status: status!,
    };
  }

  private insurer(raw: string, problems: string[]): number | undefined {
    if (raw === this.lastInsurer.raw && raw !== '') return this.lastInsurer.id;
    if (raw === '') {
      problems.push('insurer_code（保険者指定コード）が空です');
      return undefined;
    }
    const id = this.insurers.get(canonicalInsurerCode(raw));
    if (id === undefined) problems.push(`insurer_code「${shown(raw)}」の保険者は登録されていません（先に portal insurer add で登録してください）`);
    else {
      this.lastInsurer = { raw, id };
      this.insurerIds.add(id);
    }
    return id;
  }

  /** A registry is sorted by 記号: consecutive rows mostly repeat it. */
  private symbol(raw: string, problems: string[]): string | undefined {
    if (raw === this.lastSymbol.raw && raw !== '') return this.lastSymbol.canonical;
    const canonical = cardValue('symbol（記号）', raw, problems);
    if (canonical !== undefined) this.lastSymbol = { raw, canonical };
    return canonical;
  }
}

function cardValue(label: string, raw: string, problems: string[]): string | undefined {
  if (CANONICAL_DIGITS.test(raw)) return raw;
  if (raw === '') {
    problems.push(`${label}が空です`);
    return undefined;
  }
  const canonical = canonicalCardValue(raw);
  if (!isValidCardValue(canonical)) {
    problems.push(`${label}「${shown(raw)}」は使えません（20文字以内、制御文字なし）`);
    return undefined;
  }
  return canonical;
}

function birthDateOf(raw: string, today: string, problems: string[]): string | undefined {
  let iso = raw;
  if (!ISO_DATE.test(raw)) {
    const m = SLASH_DATE.exec(raw);
    if (!m) {
      problems.push(`birth_date（生年月日）「${shown(raw)}」は YYYY-MM-DD の形で書いてください`);
      return undefined;
    }
    iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  }
  if (!isRealIsoDate(iso)) problems.push(`birth_date（生年月日）「${shown(raw)}」は存在しない日付です`);
  else if (iso > today) problems.push(`birth_date（生年月日）「${shown(raw)}」は未来の日付です`);
  else if (iso < '1900-01-01') problems.push(`birth_date（生年月日）「${shown(raw)}」は1900年より前です`);
  else return iso;
  return undefined;
}

/** lib/time.ts isRealDate without its regex and Date object: this runs on every row. */
function isRealIsoDate(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function kanaOf(nameKana: string, problems: string[]): { key: string; variant: string } | undefined {
  if (nameKana === '') {
    problems.push('name_kana（氏名カナ）が空です');
    return undefined;
  }
  if (nameKana.length > MAX_NAME) {
    problems.push(`name_kana（氏名カナ）が${MAX_NAME}文字を超えています`);
    return undefined;
  }
  if (PLAIN_KATAKANA.test(nameKana)) {
    // No ヴ/ヂ/ヅ and nothing to normalise: the variant key is the primary key.
    const key = kanaKey(nameKana);
    if (key !== '') return { key, variant: key };
  } else {
    const bad = invalidKanaNameChars(nameKana);
    if (bad.length > 0) {
      problems.push(`name_kana（氏名カナ）に使えない文字があります: ${bad.map((c) => `「${c}」`).join('')}（カナ・空白・ー・中黒・ハイフンだけにしてください）`);
      return undefined;
    }
    const key = kanaKey(nameKana);
    if (key !== '') return { key, variant: kanaVariantKey(nameKana) };
  }
  problems.push(`name_kana（氏名カナ）「${shown(nameKana)}」にカナがありません`);
  return undefined;
}

function emailOf(raw: string, problems: string[]): string | null {
  if (raw === '') return null;
  const problem = emailProblem(raw);
  if (problem) problems.push(`email「${shown(raw)}」: ${problem}`);
  return normalizeEmail(raw);
}

function statusOf(raw: string, problems: string[]): 'active' | 'lost' | undefined {
  const status = raw.toLowerCase();
  if (status === '' || status === 'active') return 'active';
  if (status === 'lost') return 'lost';
  problems.push(`status「${shown(raw)}」は active（資格あり）か lost（資格喪失）にしてください`);
  return undefined;
}

/** A value quoted in a message: cut when long, control characters made visible. */
function shown(value: string, max = 40): string {
  const visible = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return visible.length > max ? visible.slice(0, max) + '…' : visible;
}

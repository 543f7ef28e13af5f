/**
 * Kana keys: how a kana name is folded so that spellings a member may type for the same
 * name (hiragana, half-width, ポ/ホ, ョ/ヨ, with or without a space) compare equal.
 * The steps are at kanaKey; test/unit/kana.test.ts runs the vectors of test/fixtures/kana-vectors.tsv.
 *
 * This runs on every row of a member import (a million rows), so the fold is a single pass
 * over a precomputed code-unit table instead of a chain of regex replacements.
 */

/** Table value meaning "drop this code unit"; U+0000 itself is kept (see `fold`). */
const DROP = 0;

/**
 * Steps 2–6 of the primary key, as one code-unit → code-unit table applied after NFKD.
 * The order of the steps still holds: NFKD comes first (it turns a lone ゛ into a space plus
 * U+3099, and ｰ/･ into ー/・), and only then is anything dropped. Hiragana entries already
 * point at the final katakana (ぁ → ア, not ァ), which is steps 3 and 4 composed.
 */
const FOLD = buildFoldTable();

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < table.length; c++) table[c] = c;

  const set = (from: string, to: string): void => {
    for (let i = 0; i < from.length; i++) table[from.charCodeAt(i)] = to.charCodeAt(i);
  };
  // Step 4 and 5 on katakana.
  set('ァィゥェォッャュョヮヵヶ', 'アイウエオツヤユヨワカケ');
  set(
    '\u31f0\u31f1\u31f2\u31f3\u31f4\u31f5\u31f6\u31f7\u31f8\u31f9\u31fa\u31fb\u31fc\u31fd\u31fe\u31ff',
    'クシストヌハヒフヘホムラリルレロ',
  );
  set('ヰヱヲ', 'イエオ');
  // Step 3: hiragana becomes katakana, then follows the katakana entry (small → large etc.).
  for (let c = 0x3041; c <= 0x3096; c++) table[c] = table[c + 0x60]!;
  // Steps 2 and 6: marks, whitespace, middle dots, long marks and hyphen-likes.
  const dropped =
    '\u3099\u309a\u309b\u309c\uff9e\uff9f' +
    ' \u3000\t\u00a0' +
    '・\uff65ー\uff70' +
    '-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d';
  for (let i = 0; i < dropped.length; i++) table[dropped.charCodeAt(i)] = DROP;
  return table;
}

/** Output buffer reused between calls (the module is synchronous, so this is safe). */
let buffer = new Uint16Array(64);

/** NFKD, then the table. `s` may already be decomposed; NFKD is cheap on such input. */
function fold(input: string): string {
  const s = input.normalize('NFKD');
  const length = s.length;
  if (buffer.length < length) buffer = new Uint16Array(length * 2);
  let n = 0;
  let changed = false;
  let dropped = false;
  let unusual = false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    const m = FOLD[c]!;
    if (m === DROP && c !== 0) {
      changed = dropped = true;
      continue;
    }
    if (m !== c) changed = true;
    else if (c >= 0x300 && (c < 0x3000 || c > 0x30ff)) unusual = true;
    buffer[n++] = m;
  }
  if (!changed) return s;
  const out = fromCodeUnits(buffer, n);
  // Dropping a space between two runs of combining marks (only in non-kana text) can leave
  // them out of canonical order; normalising again keeps kanaKey idempotent for any input.
  return dropped && unusual ? out.normalize('NFKD') : out;
}

/** `String.fromCharCode` over the buffer, in chunks so a huge input cannot overflow the stack. */
function fromCodeUnits(units: Uint16Array, n: number): string {
  const chunk = 8192;
  if (n <= chunk) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += chunk) {
    const part = units.subarray(i, Math.min(i + chunk, n));
    parts.push(String.fromCharCode.apply(null, part as unknown as number[]));
  }
  return parts.join('');
}

/**
 * The primary kana key, in this order (the order matters: NFKC of a lone ゛ gives a space plus
 * U+3099, so marks are dropped before spaces): 1. NFKD; 2. drop the voiced and semi-voiced
 * marks (濁音・半濁音 count as 清音); 3. hiragana → katakana; 4. small → large (ァ→ア, ッ→ツ,
 * ㇰ→ク …); 5. ヰ→イ, ヱ→エ, ヲ→オ; 6. drop spaces, ・, ー and hyphen-like characters.
 */
export function kanaKey(input: string): string {
  return fold(input);
}

/** ヴァ/ヴィ/ヴェ/ヴォ/ヴ, ヂ, ヅ, in hiragana or katakana, after NFKC has composed them. */
const HAS_VARIANT = /[ゔヴぢヂづヅ]/;
const VARIANT = /[ゔヴ][ぁァぃィぇェぉォ]?|[ぢヂづヅ]/g;
const VARIANT_TO: Record<string, string> = {
  ぁ: 'バ', ァ: 'バ', ぃ: 'ビ', ィ: 'ビ', ぇ: 'ベ', ェ: 'ベ', ぉ: 'ボ', ォ: 'ボ',
  ぢ: 'ジ', ヂ: 'ジ', づ: 'ズ', ヅ: 'ズ',
};
const replaceVariant = (m: string): string => VARIANT_TO[m.length === 2 ? m[1]! : m] ?? 'ブ';
/** A lone ゛/゜ would become a space plus a mark under NFKC and never compose (ツ゛ ≠ ヅ). */
const SPACING_MARKS = /[\u309b\u309c]/g;
const toCombining = (m: string): string => (m === '\u309b' ? '\u3099' : '\u309a');

/**
 * The variant key: ヴ and ブ, ヂ and ジ, ヅ and ズ spell the same name. Hiragana is not
 * turned into katakana here first: the regex knows both scripts and the fold does the rest.
 */
export function kanaVariantKey(input: string): string {
  let s = input;
  if (s.indexOf('\u309b') !== -1 || s.indexOf('\u309c') !== -1) {
    s = s.replace(SPACING_MARKS, toCombining);
  }
  s = s.normalize('NFKC');
  if (HAS_VARIANT.test(s)) s = s.replace(VARIANT, replaceVariant);
  return fold(s);
}

export interface KanaKeys {
  key: string;
  variantKey: string;
}

/** Both keys of a name, as stored beside `name_kana` and computed from what a member types. */
export function kanaKeys(input: string): KanaKeys {
  return { key: kanaKey(input), variantKey: kanaVariantKey(input) };
}

/** Two names match when their primary keys are equal or their variant keys are equal. */
export function kanaKeysMatch(a: KanaKeys, b: KanaKeys): boolean {
  return a.key === b.key || a.variantKey === b.variantKey;
}

/**
 * What a kana name may contain: hiragana (no ゝゞゟ), katakana (no ゠ヽヾヿ), small katakana
 * ㇰ–ㇿ, half-width katakana with ･ and ｰ, voicing marks (spacing and combining), ASCII and
 * ideographic spaces, and the hyphen-likes that the key drops.
 */
const KANA_NAME_CHARS =
  '\u3041-\u3096\u3099-\u309c\u30a1-\u30fc\u31f0-\u31ff\uff65-\uff9f \u3000\\-\u2010-\u2015\u2212\uff0d';
const ALL_KANA_NAME = new RegExp(`^[${KANA_NAME_CHARS}]*$`);
const NOT_KANA_NAME = new RegExp(`[^${KANA_NAME_CHARS}]`, 'gu');

/** The distinct characters of `input` a kana name may not contain, in order of appearance. */
export function invalidKanaNameChars(input: string): string[] {
  if (ALL_KANA_NAME.test(input)) return [];
  return [...new Set(input.match(NOT_KANA_NAME))];
}

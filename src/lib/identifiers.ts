/**
 * Canonical forms of 保険者指定コード, 記号 and 番号 (docs/signup.md, step 1). The registry
 * stores these forms and every look-up folds what was typed the same way, so `０１２－３`,
 * `12 3` and `0123` all reach the same member.
 */

/** `ＵＮＧＫＥＮＰＯ ` → `ungkenpo`: NFKC brings full-width letters to ASCII first. */
export function canonicalInsurerCode(input: string): string {
  return input.normalize('NFKC').trim().toLowerCase();
}

/**
 * Whitespace (\s covers U+3000, NBSP and BOM) and the hyphen-likes members type between
 * groups of digits, ー and ｰ included: on a phone keyboard in kana mode "-" comes out as ー.
 * ｰ and － are listed although NFKC has already turned them into ー and "-".
 */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\uff0d\u30fc\uff70]/g;
const DIGITS = /^[0-9]+$/;
const LEADING_ZEROS = /^0+(?=[0-9])/;
const LOWER_ASCII = /[a-z]/;

/**
 * 記号 / 番号: NFKC, separators dropped, ASCII letters upper-cased (`ab12` = `AB12`), and for
 * digits-only values leading zeros dropped (`0012` = `12`, `000` = `0`). Other characters
 * (some 記号 hold kanji or kana, e.g. `東京あ`) are kept as NFKC gives them.
 */
export function canonicalCardValue(input: string): string {
  const folded = input.normalize('NFKC').replace(SEPARATORS, '');
  if (DIGITS.test(folded)) return folded.replace(LEADING_ZEROS, '');
  // Only ASCII letters: toUpperCase on the whole string would also change e.g. ß or ﬀ.
  return LOWER_ASCII.test(folded) ? folded.replace(/[a-z]+/g, (s) => s.toUpperCase()) : folded;
}

const INSURER_CODE = /^[a-z0-9_-]{1,20}$/;
/** Counted in code points; \p{C} refuses control and invisible format characters alike. */
const CARD_VALUE = /^\P{C}{1,20}$/u;

/** A canonical insurer code: 1–20 characters from a–z 0–9 _ -. */
export function isValidInsurerCode(canonical: string): boolean {
  return INSURER_CODE.test(canonical);
}

/** A canonical 記号 or 番号: 1–20 characters, none of them control or format characters. */
export function isValidCardValue(canonical: string): boolean {
  return CARD_VALUE.test(canonical);
}

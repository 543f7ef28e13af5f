import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  invalidKanaNameChars,
  kanaKey,
  kanaKeys,
  kanaKeysMatch,
  kanaVariantKey,
} from '../../src/lib/kana.js';
import { readKanaVectors } from '../support/kana-vectors.js';

// The vectors in test/fixtures/kana-vectors.tsv are the contract of the kana key.
const vectors = readKanaVectors();

describe('the shared kana vectors', () => {
  it('are all read', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(25);
  });

  it.each(vectors)('"$input" ($note) has primary key $primary and variant key $variant', (v) => {
    expect(kanaKey(v.input)).toBe(v.primary);
    expect(kanaVariantKey(v.input)).toBe(v.variant);
  });

  it.each(vectors)('"$input" is accepted as a kana name', (v) => {
    expect(invalidKanaNameChars(v.input)).toEqual([]);
  });
});

// Katakana that can also be written in hiragana (-0x60) and in half-width: the half-width
// spelling comes from NFKD (ガ → カ + U+3099) and an inverse of NFKC over U+FF66–U+FF9F.
const toHalfWidth = new Map<string, string>();
for (let c = 0xff66; c <= 0xff9f; c++) {
  const half = String.fromCharCode(c);
  toHalfWidth.set(half.normalize('NFKC'), half);
}
const halfWidthOf = (katakana: string): string | undefined => {
  const parts = [...katakana.normalize('NFKD')].map((ch) => toHalfWidth.get(ch));
  return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
};
const alphabet: string[] = [];
for (let c = 0x30a1; c <= 0x30f6; c++) {
  const k = String.fromCharCode(c);
  if (halfWidthOf(k) !== undefined) alphabet.push(k);
}
const hiraganaOf = (katakana: string): string =>
  katakana.replace(/[\u30a1-\u30f6]/g, (k) => String.fromCharCode(k.charCodeAt(0) - 0x60));
const halfWidthName = (katakana: string): string => [...katakana].map(halfWidthOf).join('');

const katakanaWord = fc
  .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 6 })
  .map((chars) => chars.join(''));
const kanaText = fc.string({
  unit: fc.constantFrom(
    ...alphabet,
    ...alphabet.map(hiraganaOf),
    ...alphabet.map(halfWidthName),
    ...'ヷヸヹヺㇰㇷㇿー・ｰ･゛゜ﾞﾟ\u3099\u309a \u3000-－',
  ),
  maxLength: 12,
});

describe('the primary kana key', () => {
  it('is the same when applied twice, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => kanaKey(kanaKey(s)) === kanaKey(s)));
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => kanaKey(kanaKey(s)) === kanaKey(s)));
  });

  it('is the same when applied twice, even when a dropped space separated combining marks', () => {
    // Without the space, U+0301 (class 230) before U+0316 (class 220) is out of canonical order.
    const s = 'a\u0301 \u0316';
    expect(kanaKey(kanaKey(s))).toBe(kanaKey(s));
  });

  it('is the same when applied twice, for kana text', () => {
    fc.assert(fc.property(kanaText, (s) => kanaKey(kanaKey(s)) === kanaKey(s)));
  });

  it('is shared by the katakana, hiragana and half-width spellings of a name', () => {
    fc.assert(
      fc.property(katakanaWord, (name) => {
        const key = kanaKey(name);
        return kanaKey(hiraganaOf(name)) === key && kanaKey(halfWidthName(name)) === key;
      }),
    );
  });

  it('does not depend on a space between family and given name', () => {
    const separator = fc.constantFrom(' ', '\u3000', '  ', ' \u3000');
    fc.assert(
      fc.property(katakanaWord, katakanaWord, separator, (family, given, sep) => {
        return kanaKey(family + sep + given) === kanaKey(family + given);
      }),
    );
  });

  it('drops dots, long marks and hyphens, full- and half-width', () => {
    expect(kanaKey('マリア・テレサ')).toBe(kanaKey('ﾏﾘｱ･ﾃﾚｻ'));
    expect(kanaKey('サトー')).toBe(kanaKey('ｻﾄｰ'));
    for (const hyphen of ['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '－']) {
      expect(kanaKey(`サト${hyphen}`)).toBe('サト');
    }
  });
});

describe('the variant kana key', () => {
  // ヴ followed by a small ァィェォ is the other pair (ヴァ/バ), so the plain ヴ/ブ case is
  // generated with a following word that does not start with one.
  const notSmallVowel = katakanaWord.filter((w) => !/^[ァィェォ]/.test(w));
  const pairs: [string, string, fc.Arbitrary<string>][] = [
    ['ヴァ', 'バ', katakanaWord],
    ['ヴィ', 'ビ', katakanaWord],
    ['ヴェ', 'ベ', katakanaWord],
    ['ヴォ', 'ボ', katakanaWord],
    ['ヴ', 'ブ', notSmallVowel],
    ['ヂ', 'ジ', katakanaWord],
    ['ヅ', 'ズ', katakanaWord],
  ];

  it.each(pairs)('is the same for %s and %s anywhere in a name, in any script', (a, b, after) => {
    fc.assert(
      fc.property(katakanaWord, after, (before, rest) => {
        const withA = before + a + rest;
        const withB = before + b + rest;
        const key = kanaVariantKey(withB);
        return (
          kanaVariantKey(withA) === key &&
          kanaVariantKey(hiraganaOf(withA)) === key &&
          kanaVariantKey(halfWidthName(withA)) === key
        );
      }),
    );
  });

  it('treats a separately typed ゛ like a composed one (ツ゛キ is ヅキ)', () => {
    expect(kanaVariantKey('ツツ゛キ')).toBe(kanaVariantKey('ツヅキ'));
    expect(kanaVariantKey('ウ゛ァイオレット')).toBe(kanaVariantKey('バイオレット'));
  });
});

describe('matching two names', () => {
  it('matches when either the primary or the variant keys are equal', () => {
    expect(kanaKeysMatch(kanaKeys('ケンポ ショウコ'), kanaKeys('けんほしようこ'))).toBe(true);
    expect(kanaKeysMatch(kanaKeys('ツヅキ'), kanaKeys('ツズキ'))).toBe(true);
    expect(kanaKeysMatch(kanaKeys('ヴァイオレット'), kanaKeys('バイオレット'))).toBe(true);
  });

  it('does not match different names', () => {
    expect(kanaKeysMatch(kanaKeys('ツヅキ'), kanaKeys('ツツイ'))).toBe(false);
    expect(kanaKeysMatch(kanaKeys('サトウ'), kanaKeys('サト'))).toBe(false);
  });
});

describe('characters refused in a kana name', () => {
  it('are kanji, latin letters and digits, each listed once', () => {
    expect(invalidKanaNameChars('山田 タロウ')).toEqual(['山', '田']);
    expect(invalidKanaNameChars('Yamada タロウ')).toEqual(['Y', 'a', 'm', 'd']);
    expect(invalidKanaNameChars('タロウ2')).toEqual(['2']);
  });

  it('are the iteration marks ヽヾゝゞ', () => {
    expect(invalidKanaNameChars('サヽキ ささゝ ミスヾ すゞ')).toEqual(['ヽ', 'ゝ', 'ヾ', 'ゞ']);
  });

  it('are emoji and control characters, reported whole', () => {
    expect(invalidKanaNameChars('タロウ😀')).toEqual(['😀']);
    expect(invalidKanaNameChars('タロウ\u0000\t\n')).toEqual(['\u0000', '\t', '\n']);
  });

  it('are none in kana text of any script, with spaces, dots, long marks and hyphens', () => {
    expect(invalidKanaNameChars('')).toEqual([]);
    fc.assert(fc.property(kanaText, (s) => invalidKanaNameChars(s).length === 0));
  });
});

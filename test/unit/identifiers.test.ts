import { describe, expect, it } from 'vitest';
import {
  canonicalCardValue,
  canonicalInsurerCode,
  isValidCardValue,
  isValidInsurerCode,
} from '../../src/lib/identifiers.js';

describe('an insurer code', () => {
  it('is folded from full-width and upper case to half-width lower case', () => {
    expect(canonicalInsurerCode('ＵＮＧＫＥＮＰＯ')).toBe('ungkenpo');
    expect(canonicalInsurerCode('UngKenpo')).toBe('ungkenpo');
    expect(canonicalInsurerCode('ｕｎｇ＿ｋｅｎｐｏ－０１')).toBe('ung_kenpo-01');
  });

  it('loses surrounding spaces, ideographic ones included', () => {
    expect(canonicalInsurerCode(' \u3000ungkenpo\u3000 ')).toBe('ungkenpo');
  });

  it('is valid with 1 to 20 characters from a–z, 0–9, _ and -', () => {
    expect(isValidInsurerCode('ungkenpo')).toBe(true);
    expect(isValidInsurerCode('a')).toBe(true);
    expect(isValidInsurerCode('a'.repeat(20))).toBe(true);
    expect(isValidInsurerCode('kenpo_01-x')).toBe(true);
  });

  it('is invalid when empty, too long, or holding anything else', () => {
    expect(isValidInsurerCode('')).toBe(false);
    expect(isValidInsurerCode('a'.repeat(21))).toBe(false);
    expect(isValidInsurerCode('UNG')).toBe(false);
    expect(isValidInsurerCode('ung kenpo')).toBe(false);
    expect(isValidInsurerCode('健保')).toBe(false);
  });
});

describe('a 記号 or 番号', () => {
  it('is folded from full-width digits', () => {
    expect(canonicalCardValue('１２３４')).toBe('1234');
  });

  it('loses spaces of every width, inside and around', () => {
    expect(canonicalCardValue(' 12 34\u300056\t')).toBe('123456');
  });

  it('loses hyphens: ASCII, full-width, minus sign, dashes and the long mark', () => {
    for (const hyphen of ['-', '－', '\u2212', '\u2010', '\u2015', 'ー', 'ｰ']) {
      expect(canonicalCardValue(`12${hyphen}34`)).toBe('1234');
    }
  });

  it('does not count leading zeros when it is digits only', () => {
    expect(canonicalCardValue('0012')).toBe('12');
    expect(canonicalCardValue('００１２')).toBe('12');
    expect(canonicalCardValue('00-12')).toBe('12');
    expect(canonicalCardValue('000')).toBe('0');
    expect(canonicalCardValue('0')).toBe('0');
  });

  it('keeps leading zeros and kanji or kana when it is not digits only', () => {
    expect(canonicalCardValue('東京あ')).toBe('東京あ');
    expect(canonicalCardValue('東京 0012')).toBe('東京0012');
    expect(canonicalCardValue('0A12')).toBe('0A12');
  });

  it('upper-cases letters, full-width ones included, so ab12 is AB12', () => {
    expect(canonicalCardValue('ab12')).toBe('AB12');
    expect(canonicalCardValue('ＡＢ１２')).toBe('AB12');
    expect(canonicalCardValue('ａｂ－１２')).toBe('AB12');
  });

  it('is valid with 1 to 20 characters counted as people count them', () => {
    expect(isValidCardValue('12')).toBe(true);
    expect(isValidCardValue('東京あ')).toBe(true);
    expect(isValidCardValue('1'.repeat(20))).toBe(true);
    expect(isValidCardValue('𠮷'.repeat(20))).toBe(true);
  });

  it('is invalid when empty, too long, or holding control characters', () => {
    expect(isValidCardValue('')).toBe(false);
    expect(isValidCardValue('1'.repeat(21))).toBe(false);
    expect(isValidCardValue('12\u000034')).toBe(false);
    expect(isValidCardValue('12\u007f')).toBe(false);
  });

  it('is empty, and so invalid, when only separators were typed', () => {
    expect(isValidCardValue(canonicalCardValue(' －ー '))).toBe(false);
  });
});

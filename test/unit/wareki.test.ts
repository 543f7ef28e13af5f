import { describe, expect, it } from 'vitest';
import { eraOfDate, erasOfYear, eraYearText, warekiOfYear, warekiYearLabel } from '../../src/lib/wareki.js';

describe('和暦 year labels', () => {
  it('shows the era of an ordinary year', () => {
    expect(warekiYearLabel(1985)).toBe('1985（昭和60）年');
    expect(warekiYearLabel(1900)).toBe('1900（明治33）年');
    expect(warekiYearLabel(2000)).toBe('2000（平成12）年');
    expect(warekiYearLabel(2026)).toBe('2026（令和8）年');
  });

  it('shows both eras, with 元年, for a year two eras share', () => {
    expect(warekiYearLabel(1912)).toBe('1912（明治45／大正元）年');
    expect(warekiYearLabel(1926)).toBe('1926（大正15／昭和元）年');
    expect(warekiYearLabel(1989)).toBe('1989（昭和64／平成元）年');
    expect(warekiYearLabel(2019)).toBe('2019（平成31／令和元）年');
  });

  it('shows 明治元 from 1868 and no era before it', () => {
    expect(warekiOfYear(1868)).toBe('明治元');
    expect(warekiYearLabel(1867)).toBe('1867年');
    expect(erasOfYear(1867)).toEqual([]);
  });

  it('writes year 1 as 元', () => {
    expect(eraYearText(1)).toBe('元');
    expect(eraYearText(2)).toBe('2');
  });

  it('finds the era of a date from the official start dates', () => {
    expect(eraOfDate('1989-01-07')).toEqual({ era: '昭和', year: 64 });
    expect(eraOfDate('1989-01-08')).toEqual({ era: '平成', year: 1 });
    expect(eraOfDate('2019-04-30')).toEqual({ era: '平成', year: 31 });
    expect(eraOfDate('2019-05-01')).toEqual({ era: '令和', year: 1 });
    expect(eraOfDate('1926-12-24')).toEqual({ era: '大正', year: 15 });
    expect(eraOfDate('1926-12-25')).toEqual({ era: '昭和', year: 1 });
    expect(eraOfDate('1912-07-29')).toEqual({ era: '明治', year: 45 });
    expect(eraOfDate('1912-07-30')).toEqual({ era: '大正', year: 1 });
    expect(eraOfDate('1868-10-22')).toBeUndefined();
  });

  it('agrees with the eras of every year from 1900 to 2100 (each year has one or two)', () => {
    for (let y = 1900; y <= 2100; y++) {
      const eras = erasOfYear(y);
      expect(eras.length).toBeGreaterThanOrEqual(1);
      expect(eras.at(-1)).toEqual(eraOfDate(`${y}-12-31`));
      expect(eras[0]).toEqual(eraOfDate(`${y}-01-01`));
    }
  });
});

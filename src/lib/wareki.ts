/**
 * 和暦 (Japanese era years) for the birth-year pulldowns: `1985（昭和60）年`.
 * A Western year that two eras share shows both, `1989（昭和64／平成元）年`, so a
 * member who knows only "昭和64年生まれ" or "平成元年生まれ" finds the year either way.
 */

export interface Era {
  name: string;
  /** First day of the era, YYYY-MM-DD (the official start dates). */
  start: string;
}

/** Oldest first. 明治 is counted from 1868-10-23 (the era-name change), as is customary. */
export const ERAS: readonly Era[] = [
  { name: '明治', start: '1868-10-23' },
  { name: '大正', start: '1912-07-30' },
  { name: '昭和', start: '1926-12-25' },
  { name: '平成', start: '1989-01-08' },
  { name: '令和', start: '2019-05-01' },
];

const startYear = (era: Era): number => Number(era.start.slice(0, 4));

/** `1` → `元`, otherwise the number: 昭和元年, 昭和60年. */
export function eraYearText(eraYear: number): string {
  return eraYear === 1 ? '元' : String(eraYear);
}

/** The era and its year for a date `YYYY-MM-DD`; undefined before 明治. */
export function eraOfDate(isoDate: string): { era: string; year: number } | undefined {
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const era = ERAS[i]!;
    // ISO dates compare correctly as strings.
    if (isoDate >= era.start) return { era: era.name, year: Number(isoDate.slice(0, 4)) - startYear(era) + 1 };
  }
  return undefined;
}

/** Every era that covers at least one day of `year`, oldest first, with its year number. */
export function erasOfYear(year: number): { era: string; year: number }[] {
  const result: { era: string; year: number }[] = [];
  for (let i = 0; i < ERAS.length; i++) {
    const era = ERAS[i]!;
    const next = ERAS[i + 1];
    const first = startYear(era);
    // The era ends the day before the next one starts; it still covers that year
    // unless the next era began on 1 January (none did, but keep the rule honest).
    const lastYear = next ? (next.start.endsWith('-01-01') ? startYear(next) - 1 : startYear(next)) : Infinity;
    if (year >= first && year <= lastYear) result.push({ era: era.name, year: year - first + 1 });
  }
  return result;
}

/** `昭和60`, or `昭和64／平成元` for a year that two eras share; '' before 明治. */
export function warekiOfYear(year: number): string {
  return erasOfYear(year)
    .map((e) => `${e.era}${eraYearText(e.year)}`)
    .join('／');
}

/** The pulldown text for a birth year: `1985（昭和60）年`. */
export function warekiYearLabel(year: number): string {
  const wareki = warekiOfYear(year);
  return wareki ? `${year}（${wareki}）年` : `${year}年`;
}

/** The letters callers and forms use for each era: 昭和50 is also S50. */
const ERA_LETTERS: Record<string, string> = { M: '明治', T: '大正', S: '昭和', H: '平成', R: '令和' };

/**
 * A birth year as a caller says it: `1975`, or an era and its year — `S50`, `昭和50`,
 * `H2`, `平成2`, `R2`, `令和2`, `T15`, `M45`, `昭和元年` — in full- or half-width, with
 * or without 年. Returns the Western year, or undefined for anything else, including
 * an era year past the era's last (`S65`, `T16`).
 */
export function parseBirthYear(input: string): number | undefined {
  const s = input.normalize('NFKC').replace(/\s/g, '').replace(/年$/, '').toUpperCase();
  if (/^[0-9]{4}$/.test(s)) return Number(s);
  const m = /^([MTSHR]|明治|大正|昭和|平成|令和)\.?([0-9]{1,2}|元)$/.exec(s);
  if (!m) return undefined;
  const name = ERA_LETTERS[m[1]!] ?? m[1]!;
  const i = ERAS.findIndex((e) => e.name === name);
  const era = ERAS[i]!;
  const eraYear = m[2] === '元' ? 1 : Number(m[2]);
  const year = startYear(era) + eraYear - 1;
  const next = ERAS[i + 1];
  if (eraYear < 1 || (next && year > startYear(next))) return undefined;
  return year;
}

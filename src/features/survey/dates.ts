import { isoDateJst, isRealDate } from '../../lib/time.js';

/**
 * Survey dates are Japan calendar days (`YYYY-MM-DD`, inclusive). Arithmetic is done on UTC
 * midnights of those days, so no time zone or daylight-saving rule can shift a day.
 */
const DAY_MS = 86_400_000;
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

function utcMidnight(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
}

export function addDays(iso: string, days: number): string {
  return new Date(utcMidnight(iso) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}

/** `8月31日（月）` */
export function japaneseDate(iso: string): string {
  const weekday = WEEKDAYS[new Date(utcMidnight(iso)).getUTCDay()];
  return `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日（${weekday}）`;
}

/** `1985年4月1日` */
export function japaneseBirthDate(iso: string): string {
  return `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
}

/** Age in whole years on `onDate` (a birthday counts on its day). */
export function ageOn(birthDate: string, onDate: string): number {
  let age = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (onDate.slice(5) < birthDate.slice(5)) age--;
  return age;
}

export function todayJst(now: number): string {
  return isoDateJst(now);
}

export { isRealDate };

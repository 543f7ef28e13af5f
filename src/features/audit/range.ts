import { DAY } from '../../lib/clock.js';
import { isRealDate } from '../../lib/time.js';

/** Start of a Japan calendar day `YYYY-MM-DD`, in ms; undefined for anything that is not a real date. */
export function jstDayStart(iso: string): number | undefined {
  if (!isRealDate(iso)) return undefined;
  return Date.parse(`${iso}T00:00:00+09:00`);
}

/** [from 00:00, to+1 00:00) in Japan time, both days inclusive. */
export function jstDayRange(from: string | undefined, to: string | undefined): { fromMs?: number; toMs?: number } {
  const fromMs = from ? jstDayStart(from) : undefined;
  const toStart = to ? jstDayStart(to) : undefined;
  return { fromMs, toMs: toStart === undefined ? undefined : toStart + DAY };
}

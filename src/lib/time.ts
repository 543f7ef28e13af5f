/** Dates and times as members read them: Japan time, whatever the server's zone. */
const dateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const timeOnly = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** `2026/4/1 14:32` */
export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}

/** `14:32`, as in 「14:32まで有効」 */
export function formatTime(ms: number): string {
  return timeOnly.format(ms);
}

/** `2026/4/1` */
export function formatDate(ms: number): string {
  return dateOnly.format(ms);
}

/** `YYYY-MM-DD` of the Japan calendar day that contains `ms`. */
export function isoDateJst(ms: number): string {
  const d = new Date(ms + 9 * 60 * 60 * 1000);
  return d.toISOString().slice(0, 10);
}

/** Is `YYYY-MM-DD` a real calendar date (no 2月30日)? */
export function isRealDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

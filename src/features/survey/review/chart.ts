import { addDays, daysBetween } from '../dates.js';

/** One day of the submissions chart: its bar in the SVG and its line in the table beside it. */
export interface ChartDay {
  day: string;
  label: string;
  n: number;
  x: number;
  y: number;
  height: number;
}

export interface SubmissionsChart {
  width: number;
  height: number;
  barWidth: number;
  max: number;
  days: ChartDay[];
  /** The deadline's line (x), drawn after its day's bar. */
  deadlineX: number;
  deadlineLabel: string;
  total: number;
}

const WIDTH = 640;
const HEIGHT = 200;
const TOP = 16;
const BOTTOM = 24;

/**
 * Bars of submissions per Japan day from the survey's opening day to its deadline (or the last
 * late submission), computed here so the template only draws rectangles: no script, no chart
 * library, and the same figures as the table beside it.
 */
export function submissionsChart(o: { opensOn: string; closesOn: string; perDay: { day: string; n: number }[] }): SubmissionsChart {
  const last = o.perDay.reduce((m, d) => (d.day > m ? d.day : m), o.closesOn);
  const first = o.perDay.reduce((m, d) => (d.day < m ? d.day : m), o.opensOn);
  const count = daysBetween(first, last) + 1;
  const byDay = new Map(o.perDay.map((d) => [d.day, d.n]));
  const max = Math.max(1, ...o.perDay.map((d) => d.n));
  const barWidth = WIDTH / count;
  const plot = HEIGHT - TOP - BOTTOM;
  const days: ChartDay[] = [];
  for (let i = 0; i < count; i++) {
    const day = addDays(first, i);
    const n = byDay.get(day) ?? 0;
    const height = Math.round((n / max) * plot * 10) / 10;
    days.push({ day, label: `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}`, n, x: Math.round(i * barWidth * 10) / 10, y: HEIGHT - BOTTOM - height, height });
  }
  const deadlineX = Math.round((daysBetween(first, o.closesOn) + 1) * barWidth * 10) / 10;
  const deadlineLabel = `${Number(o.closesOn.slice(5, 7))}/${Number(o.closesOn.slice(8, 10))} 締切`;
  return { width: WIDTH, height: HEIGHT, barWidth: Math.max(1, Math.round(barWidth * 10) / 10 - 1), max, days, deadlineX, deadlineLabel, total: o.perDay.reduce((s, d) => s + d.n, 0) };
}

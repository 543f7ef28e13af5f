import type { AnswersRow, DependentRow } from '../case-queries.js';
import { ageOn } from '../dates.js';

/**
 * The eligibility hint a reviewer reads beside the answers: never a decision. The income
 * limits are kept as data with the date from which each set applies (the 19–22 rule began on
 * 2025-10-01), and the set is chosen by the survey's opening day, so a survey keeps its limits.
 */
export interface ThresholdSet {
  effectiveFrom: string;
  base: number;
  /** 60 or older, or a disability that would qualify for a disability pension. */
  senior: number;
  /** 19–22 years old on 31 December of the survey's year, and not the spouse; null before the rule. */
  youngAdult: number | null;
}

export const THRESHOLD_SETS: readonly ThresholdSet[] = [
  { effectiveFrom: '2000-01-01', base: 1_300_000, senior: 1_800_000, youngAdult: null },
  { effectiveFrom: '2025-10-01', base: 1_300_000, senior: 1_800_000, youngAdult: 1_500_000 },
];

export function thresholdSetFor(day: string): ThresholdSet {
  let found = THRESHOLD_SETS[0]!;
  for (const s of THRESHOLD_SETS) if (s.effectiveFrom <= day) found = s;
  return found;
}

export type HintLevel = 'within' | 'over' | 'check' | 'none';
export const HINT_LABELS: Record<HintLevel, string> = { within: '基準内', over: '基準超過', check: '要確認', none: '対象外' };

export interface EligibilityHint {
  level: HintLevel;
  label: string;
  incomeTotal: number | null;
  threshold: number | null;
  /** The reasons, in Japanese, for the reviewer. */
  notes: string[];
}

const man = (yen: number) => `${(yen / 10_000).toLocaleString('ja-JP')}万円`;

/** The hint for one dependent; `opensOn` is the survey's opening day (age and limits are read on it). */
export function eligibilityHint(d: Pick<DependentRow, 'birth_date' | 'relationship'>, a: AnswersRow | undefined, opensOn: string): EligibilityHint {
  if (a?.continuation === 'remove' || a?.continuation === 'pending') {
    return { level: 'none', label: HINT_LABELS.none, incomeTotal: null, threshold: null, notes: ['扶養から外す（または手続き中）との回答です'] };
  }
  const parts = [a?.income_salary, a?.income_pension, a?.income_business, a?.income_other];
  const incomeTotal = parts.every((p) => p === null || p === undefined) ? null : parts.reduce<number>((s, p) => s + (p ?? 0), 0);
  const set = thresholdSetFor(opensOn);
  const age = ageOn(d.birth_date, opensOn);
  const ageAtYearEnd = ageOn(d.birth_date, `${opensOn.slice(0, 4)}-12-31`);
  let threshold = set.base;
  const notes: string[] = [];
  if (age >= 60 || a?.disabled === 'yes') {
    threshold = set.senior;
    notes.push(age >= 60 ? '60歳以上' : '障害あり');
  } else if (set.youngAdult !== null && ageAtYearEnd >= 19 && ageAtYearEnd <= 22 && d.relationship !== '配偶者') {
    threshold = set.youngAdult;
    notes.push('12月31日時点で19〜22歳（配偶者以外）');
  }
  notes.push(`年収の基準 ${man(threshold)}未満`);
  if (incomeTotal === null || a?.complete !== 1) {
    return { level: 'check', label: HINT_LABELS.check, incomeTotal, threshold, notes: [...notes, '収入の回答がそろっていません'] };
  }
  let level: HintLevel = incomeTotal < threshold ? 'within' : 'over';
  // Apart (except the member's own posting away): the income must also be below the support sent.
  if (a.residence === 'apart' && a.apart_reason !== 'work') {
    if (a.monthly_support === null) {
      level = 'check';
      notes.push('別居ですが仕送り額が不明です');
    } else {
      const yearly = a.monthly_support * 12;
      notes.push(`別居：仕送り年額 ${man(yearly)}`);
      if (incomeTotal >= yearly && level === 'within') level = 'over';
    }
  }
  return { level, label: HINT_LABELS[level], incomeTotal, threshold, notes };
}

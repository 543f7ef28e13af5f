import { describe, expect, it } from 'vitest';
import type { AnswersRow } from '../../src/features/survey/case-queries.js';
import { eligibilityHint, thresholdSetFor } from '../../src/features/survey/review/eligibility.js';

const answers = (o: Partial<AnswersRow> = {}): AnswersRow => ({
  dependent_id: 1, continuation: 'continue', removal_date: null, removal_reason: null, residence: 'together', apart_reason: null,
  monthly_support: null, lives_in_japan: 'yes', abroad_reason: null, occupation: 'employee', income_salary: 0, income_pension: 0,
  income_business: 0, income_other: 0, disabled: 'no', complete: 1, ...o,
});
const spouse = { birth_date: '1980-05-01', relationship: '配偶者' as const };
const OPENS = '2026-06-01';

describe('the eligibility hint', () => {
  it('compares the total annual income with 130万円 (below is within, 130万 itself is over)', () => {
    expect(eligibilityHint(spouse, answers({ income_salary: 1_000_000, income_other: 299_999 }), OPENS)).toMatchObject({ label: '基準内', incomeTotal: 1_299_999, threshold: 1_300_000 });
    expect(eligibilityHint(spouse, answers({ income_salary: 1_300_000 }), OPENS).label).toBe('基準超過');
  });

  it('uses 180万円 from 60 years old or with a disability', () => {
    expect(eligibilityHint({ birth_date: '1966-06-01', relationship: '父' }, answers({ income_pension: 1_700_000 }), OPENS)).toMatchObject({ label: '基準内', threshold: 1_800_000 });
    expect(eligibilityHint({ birth_date: '1966-06-02', relationship: '父' }, answers({ income_pension: 1_700_000 }), OPENS).label).toBe('基準超過');
    expect(eligibilityHint(spouse, answers({ disabled: 'yes', income_pension: 1_500_000 }), OPENS).threshold).toBe(1_800_000);
  });

  it('uses 150万円 for 19 to 22 on 31 December of the survey year, not for the spouse, and only from 2025-10-01', () => {
    const child = (birth: string) => ({ birth_date: birth, relationship: '子' as const });
    expect(eligibilityHint(child('2007-12-31'), answers({ income_salary: 1_400_000 }), OPENS)).toMatchObject({ label: '基準内', threshold: 1_500_000 });
    expect(eligibilityHint(child('2008-01-01'), answers({ income_salary: 1_400_000 }), OPENS)).toMatchObject({ label: '基準超過', threshold: 1_300_000 });
    expect(eligibilityHint(child('2004-01-01'), answers({ income_salary: 1_400_000 }), OPENS).threshold).toBe(1_500_000);
    expect(eligibilityHint(child('2003-12-31'), answers({ income_salary: 1_400_000 }), OPENS).threshold).toBe(1_300_000);
    expect(eligibilityHint({ birth_date: '2005-01-01', relationship: '配偶者' }, answers({ income_salary: 1_400_000 }), OPENS).threshold).toBe(1_300_000);
    expect(eligibilityHint(child('2004-06-01'), answers({ income_salary: 1_400_000 }), '2025-06-01').threshold).toBe(1_300_000);
    expect(thresholdSetFor('2025-10-01').youngAdult).toBe(1_500_000);
  });

  it('apart: the income must also be below the support sent in a year; without the amount it needs checking', () => {
    const apart = { residence: 'apart', apart_reason: 'study' };
    expect(eligibilityHint(spouse, answers({ ...apart, monthly_support: 100_000, income_salary: 1_100_000 }), OPENS).label).toBe('基準内');
    expect(eligibilityHint(spouse, answers({ ...apart, monthly_support: 50_000, income_salary: 600_000 }), OPENS).label).toBe('基準超過');
    expect(eligibilityHint(spouse, answers({ ...apart, monthly_support: null }), OPENS).label).toBe('要確認');
    // Apart because of the member's own posting: no support is asked.
    expect(eligibilityHint(spouse, answers({ residence: 'apart', apart_reason: 'work' }), OPENS).label).toBe('基準内');
  });

  it('needs checking while the answers are incomplete, and does not apply to a removal', () => {
    expect(eligibilityHint(spouse, undefined, OPENS).label).toBe('要確認');
    expect(eligibilityHint(spouse, answers({ complete: 0 }), OPENS).label).toBe('要確認');
    expect(eligibilityHint(spouse, answers({ continuation: 'remove' }), OPENS).label).toBe('対象外');
  });
});

import { describe, expect, it } from 'vitest';
import { foldAmount } from '../../src/features/survey/amounts.js';
import type { AnswersRow, DependentRow } from '../../src/features/survey/case-queries.js';
import { requiredKinds, ruleSetFor, RULE_SETS, type RuleSet } from '../../src/features/survey/documents/rules.js';
import { readAnswers } from '../../src/features/survey/questionnaire.js';

const OPENS = '2026-07-01';
const dependent = (birth: string, relationship: DependentRow['relationship'] = '子'): DependentRow => ({
  id: 1, case_id: 1, dependent_no: '1', name: '健保 さくら', name_kana: 'ケンポ サクラ', birth_date: birth, relationship, certified_on: null,
});
function answers(body: Record<string, string>): AnswersRow {
  return readAnswers(1, { continuation: 'continue', residence: 'together', livesInJapan: 'yes', occupation: 'none', incomeSalary: '0', incomePension: '0', incomeBusiness: '0', incomeOther: '0', disabled: 'no', ...body }).row;
}
const kinds = (birth: string, body: Record<string, string>, set: RuleSet = ruleSetFor(OPENS)) => requiredKinds(set, dependent(birth), answers(body), OPENS);

describe('required documents (default rules)', () => {
  it('asks an adult without other documents for the income certificate only', () => {
    expect(kinds('1980-01-01', {})).toEqual(['income_certificate']);
  });
  it('asks a student of 18 or more without income for the enrolment certificate only; under 18 nothing', () => {
    expect(kinds('2006-01-01', { occupation: 'student' })).toEqual(['enrolment_certificate']);
    expect(kinds('2008-07-02', { occupation: 'student' })).toEqual([]); // 17 on the opening day
    expect(kinds('2008-07-01', { occupation: 'student' })).toEqual(['enrolment_certificate']); // 18 that day
  });
  it('adds payslips, pension notice and tax return for each income, and remittance for apart but not for 単身赴任', () => {
    expect(kinds('2006-01-01', { occupation: 'student', incomeSalary: '50万' })).toEqual(['income_certificate', 'enrolment_certificate', 'payslips']);
    expect(kinds('1950-01-01', { incomePension: '1,800,000', incomeBusiness: '1' })).toEqual(['income_certificate', 'pension_notice', 'tax_return']);
    expect(kinds('1950-01-01', { residence: 'apart', apartReason: 'other', monthlySupport: '5万' })).toContain('remittance_proof');
    expect(kinds('1950-01-01', { residence: 'apart', apartReason: 'work', monthlySupport: '0' })).not.toContain('remittance_proof');
  });
  it('asks for the overseas document by reason', () => {
    expect(kinds('2000-01-01', { livesInJapan: 'no', abroadReason: 'study', occupation: 'student' })).toEqual(['enrolment_certificate', 'overseas_study']);
    expect(kinds('1980-01-01', { livesInJapan: 'no', abroadReason: 'accompany' })).toEqual(['income_certificate', 'overseas_accompany']);
  });
  it('needs nothing for a removal or a pending change', () => {
    expect(requiredKinds(ruleSetFor(OPENS), dependent('1980-01-01'), readAnswers(1, { continuation: 'remove', removalDate: '2026-05-01', removalReason: 'job' }).row, OPENS)).toBe('none');
    expect(requiredKinds(ruleSetFor(OPENS), dependent('1980-01-01'), readAnswers(1, { continuation: 'pending' }).row, OPENS)).toBe('none');
  });
  it('picks the newest set in effect on a day, so a case submitted under an older set keeps it', () => {
    const later: RuleSet = { effectiveFrom: '2027-04-01', noneWhen: [], rules: [{ kind: 'payslips', when: [] }] };
    RULE_SETS.push(later);
    try {
      expect(ruleSetFor('2027-04-01')).toBe(later);
      expect(ruleSetFor('2027-03-31').effectiveFrom).toBe('2025-04-01');
    } finally {
      RULE_SETS.pop();
    }
  });
});

describe('amounts as members type them', () => {
  it.each([
    ['120万', 1_200_000], ['１２０万', 1_200_000], ['1,200,000', 1_200_000], ['１，２００，０００円', 1_200_000],
    ['12.5万', 125_000], ['120万5000', 1_205_000], ['0', 0], [' 98000 ', 98_000],
  ])('%s → %d', (input, value) => {
    expect(foldAmount(input)).toBe(value);
  });
  it.each(['', 'たくさん', '-5', '1.5', '12万万', '1e6', '99999999999'])('refuses %j', (input) => {
    expect(foldAmount(input)).toBeUndefined();
  });
});

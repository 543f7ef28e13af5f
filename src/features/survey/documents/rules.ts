import type { AnswersRow, DependentRow } from '../case-queries.js';
import { ageOn } from '../dates.js';

/**
 * Which documents a dependent needs, kept as data: rule sets with the day they take effect.
 * A case not yet submitted follows the newest set in effect today; a submitted case keeps the
 * set it was submitted under (survey_cases.rules_effective), so a later change never moves it.
 * A rule needs a document when all its conditions hold on the dependent's facts.
 */

export type Fact =
  | 'continuation' | 'residence' | 'apartReason' | 'livesInJapan' | 'abroadReason' | 'occupation'
  | 'incomeSalary' | 'incomePension' | 'incomeBusiness' | 'incomeOther'
  /** Age on the survey's opening day. */
  | 'age'
  /** A student with no income at all. */
  | 'studentWithoutIncome';

export type Condition =
  | { fact: Fact; is: string | boolean }
  | { fact: Fact; isNot: string }
  | { fact: Fact; in: string[] }
  | { fact: Fact; atLeast: number }
  | { fact: Fact; above: number };

export interface DocumentRule {
  kind: string;
  when: Condition[];
}

export interface RuleSet {
  effectiveFrom: string;
  /** When any of these holds, nothing is needed (the society acts on the removal instead). */
  noneWhen: Condition[];
  rules: DocumentRule[];
}

export const RULE_SETS: RuleSet[] = [
  {
    effectiveFrom: '2025-04-01',
    noneWhen: [{ fact: 'continuation', in: ['remove', 'pending'] }],
    rules: [
      { kind: 'income_certificate', when: [{ fact: 'age', atLeast: 18 }, { fact: 'studentWithoutIncome', is: false }] },
      { kind: 'enrolment_certificate', when: [{ fact: 'occupation', is: 'student' }, { fact: 'age', atLeast: 18 }] },
      { kind: 'payslips', when: [{ fact: 'incomeSalary', above: 0 }] },
      { kind: 'pension_notice', when: [{ fact: 'incomePension', above: 0 }] },
      { kind: 'tax_return', when: [{ fact: 'incomeBusiness', above: 0 }] },
      { kind: 'remittance_proof', when: [{ fact: 'residence', is: 'apart' }, { fact: 'apartReason', isNot: 'work' }] },
      { kind: 'overseas_study', when: [{ fact: 'livesInJapan', is: 'no' }, { fact: 'abroadReason', is: 'study' }] },
      { kind: 'overseas_accompany', when: [{ fact: 'livesInJapan', is: 'no' }, { fact: 'abroadReason', is: 'accompany' }] },
      { kind: 'overseas_other', when: [{ fact: 'livesInJapan', is: 'no' }, { fact: 'abroadReason', is: 'other' }] },
    ],
  },
];

/** Each kind's name and where the member gets it. */
export const DOCUMENT_KINDS: Record<string, { name: string; where: string }> = {
  income_certificate: {
    name: '所得証明書（課税・非課税証明書）',
    where: 'その年の1月1日に住んでいた市区町村の役所で取得できます（新しい年度の分は6月ごろから）。マイナンバーカードがあればコンビニでも取得できます。',
  },
  enrolment_certificate: { name: '在学証明書（発行から3か月以内）', where: '在学している学校の窓口で発行されます。学生証の写しは使えません。' },
  payslips: { name: '直近3か月分の給与明細（または源泉徴収票）', where: '勤務先から受け取った給与明細、または年末に受け取る源泉徴収票です。' },
  pension_notice: { name: '年金額改定通知書など', where: '日本年金機構などから毎年6月ごろ届く通知書です。紛失した場合は年金事務所で再発行できます。' },
  tax_return: { name: '確定申告書の控え', where: '税務署に提出した確定申告書の控え（e-Taxの場合は受信通知も）です。' },
  remittance_proof: { name: '仕送りの証明（振込記録 直近3か月分）', where: '銀行の振込明細や通帳の該当ページなど、送金した人・受け取った人・金額がわかるものです。' },
  overseas_study: { name: '留学を証明する書類（在学証明書・査証の写し）', where: '留学先の学校が発行する在学証明書と、査証（ビザ）の写しです。外国語の書類には日本語訳を添えてください。' },
  overseas_accompany: { name: '海外赴任に同行していることを証明する書類', where: '被保険者の海外赴任の辞令の写しなど、勤務先で用意できる書類です。' },
  overseas_other: { name: '海外に住んでいる理由を証明する書類', where: 'どの書類が使えるかは、健康保険組合にお問い合わせください。' },
};

export function ruleSetFor(effectiveOn: string): RuleSet {
  const inEffect = RULE_SETS.filter((s) => s.effectiveFrom <= effectiveOn).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  return inEffect[0] ?? RULE_SETS[0]!;
}

function factsOf(d: DependentRow, a: AnswersRow | undefined, surveyOpensOn: string): Record<Fact, string | number | boolean | null> {
  const income = (a?.income_salary ?? 0) + (a?.income_pension ?? 0) + (a?.income_business ?? 0) + (a?.income_other ?? 0);
  return {
    continuation: a?.continuation ?? null, residence: a?.residence ?? null, apartReason: a?.apart_reason ?? null,
    livesInJapan: a?.lives_in_japan ?? null, abroadReason: a?.abroad_reason ?? null, occupation: a?.occupation ?? null,
    incomeSalary: a?.income_salary ?? null, incomePension: a?.income_pension ?? null,
    incomeBusiness: a?.income_business ?? null, incomeOther: a?.income_other ?? null,
    age: ageOn(d.birth_date, surveyOpensOn),
    studentWithoutIncome: a?.occupation === 'student' && income === 0,
  };
}

function holds(c: Condition, facts: Record<Fact, string | number | boolean | null>): boolean {
  const v = facts[c.fact];
  if ('is' in c) return v === c.is;
  if ('isNot' in c) return v !== null && v !== c.isNot;
  if ('in' in c) return typeof v === 'string' && c.in.includes(v);
  if ('atLeast' in c) return typeof v === 'number' && v >= c.atLeast;
  return typeof v === 'number' && v > c.above;
}

/**
 * The kinds one dependent needs under `set`, from the answers so far (an unanswered question
 * needs nothing yet). Returns 'none' when the answers mean no document at all.
 */
export function requiredKinds(set: RuleSet, d: DependentRow, a: AnswersRow | undefined, surveyOpensOn: string): string[] | 'none' {
  const facts = factsOf(d, a, surveyOpensOn);
  if (set.noneWhen.some((c) => holds(c, facts))) return 'none';
  return set.rules.filter((r) => r.when.every((c) => holds(c, facts))).map((r) => r.kind);
}

import type { FieldErrors } from '../../http/forms.js';
import { foldAmount } from './amounts.js';
import type { AnswersRow } from './case-queries.js';
import { isRealDate } from './dates.js';

/** The questionnaire's choices: field name → value → what the member reads. */
export const CHOICES = {
  continuation: { continue: '引き続き扶養を続ける', remove: '扶養から外す', pending: '異動届を提出済み・手続き中' },
  removalReason: { job: '就職', marriage: '結婚', income: '収入増', apart: '別居', death: '死亡', age75: '75歳到達', other: 'その他' },
  residence: { together: '同居している', apart: '別居している' },
  apartReason: { study: '就学', work: '被保険者の単身赴任', other: 'その他' },
  livesInJapan: { yes: 'はい', no: 'いいえ（海外に住んでいる）' },
  abroadReason: { study: '留学', accompany: '海外赴任に同行', other: 'その他' },
  occupation: { student: '学生', employee: '会社員・パート・アルバイト', self: '自営業', pension: '年金受給', none: '無職', other: 'その他' },
  disabled: { yes: 'はい', no: 'いいえ' },
} as const;

export const LABELS: Record<string, string> = {
  continuation: '引き続き扶養を続けますか',
  removalDate: '扶養から外れる日',
  removalReason: '扶養から外す理由',
  residence: '被保険者との同居・別居',
  apartReason: '別居の理由',
  monthlySupport: '仕送り月額（円）',
  livesInJapan: '日本国内に住んでいますか',
  abroadReason: '海外に住んでいる理由',
  occupation: '職業・状況',
  incomeSalary: '給与収入（円）',
  incomePension: '年金収入（円）',
  incomeBusiness: '事業収入（円）',
  incomeOther: 'その他の収入（円）',
  disabled: '障害年金を受けられる程度の障害がありますか',
};

const AMOUNT_FIELDS = ['incomeSalary', 'incomePension', 'incomeBusiness', 'incomeOther'] as const;

export interface ReadAnswers {
  /** What is stored: valid answers to questions that apply; everything else NULL. */
  row: AnswersRow;
  /** A message under each wrong or unanswered field that applies. */
  errors: FieldErrors;
  complete: boolean;
}

function text(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v.trim().slice(0, 100) : '';
}

/**
 * Reads one dependent's questionnaire form. Only the questions that apply are read (a removal
 * asks only its date and reason; 別居 asks its reason and the support; 海外 its reason), so the
 * answers of sections that do not apply are ignored, as the page without JavaScript needs.
 */
export function readAnswers(dependentId: number, body: Record<string, unknown>): ReadAnswers {
  const errors: FieldErrors = {};
  const row: AnswersRow = {
    dependent_id: dependentId, continuation: null, removal_date: null, removal_reason: null, residence: null, apart_reason: null,
    monthly_support: null, lives_in_japan: null, abroad_reason: null, occupation: null, income_salary: null, income_pension: null,
    income_business: null, income_other: null, disabled: null, complete: 0,
  };
  const choice = <K extends keyof typeof CHOICES>(name: K): string | null => {
    const v = text(body, name);
    if (v === '') errors[name] = `${LABELS[name]}を選択してください`;
    else if (!(v in CHOICES[name])) errors[name] = `${LABELS[name]}を選択肢から選んでください`;
    else return v;
    return null;
  };
  const amount = (name: string): number | null => {
    const v = text(body, name);
    const n = foldAmount(v);
    if (v === '') errors[name] = `${LABELS[name]}を入力してください（ない場合は 0）`;
    else if (n === undefined) errors[name] = `${LABELS[name]}は金額を数字で入力してください（例：1200000、120万）`;
    else return n;
    return null;
  };

  row.continuation = choice('continuation');
  if (row.continuation === 'remove') {
    const raw = text(body, 'removalDate').normalize('NFKC').replace(/\//g, '-');
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw);
    const date = iso ? `${iso[1]}-${iso[2]!.padStart(2, '0')}-${iso[3]!.padStart(2, '0')}` : '';
    if (raw === '') errors.removalDate = `${LABELS.removalDate}を入力してください`;
    else if (!isRealDate(date)) errors.removalDate = `${LABELS.removalDate}は実在する日付を「2026-04-01」の形で入力してください`;
    else row.removal_date = date;
    row.removal_reason = choice('removalReason');
  } else if (row.continuation === 'continue') {
    row.residence = choice('residence');
    if (row.residence === 'apart') {
      row.apart_reason = choice('apartReason');
      row.monthly_support = amount('monthlySupport');
    }
    row.lives_in_japan = choice('livesInJapan');
    if (row.lives_in_japan === 'no') row.abroad_reason = choice('abroadReason');
    row.occupation = choice('occupation');
    row.income_salary = amount('incomeSalary');
    row.income_pension = amount('incomePension');
    row.income_business = amount('incomeBusiness');
    row.income_other = amount('incomeOther');
    row.disabled = choice('disabled');
  }
  const complete = Object.keys(errors).length === 0;
  row.complete = complete ? 1 : 0;
  return { row, errors, complete };
}

/** The stored answers as the form's values (field names of the questionnaire). */
export function formValues(a: AnswersRow | undefined): Record<string, string> {
  if (!a) return {};
  const v: Record<string, string> = {};
  const put = (name: string, value: string | number | null) => {
    if (value !== null) v[name] = String(value);
  };
  put('continuation', a.continuation);
  put('removalDate', a.removal_date);
  put('removalReason', a.removal_reason);
  put('residence', a.residence);
  put('apartReason', a.apart_reason);
  put('monthlySupport', a.monthly_support);
  put('livesInJapan', a.lives_in_japan);
  put('abroadReason', a.abroad_reason);
  put('occupation', a.occupation);
  put('incomeSalary', a.income_salary);
  put('incomePension', a.income_pension);
  put('incomeBusiness', a.income_business);
  put('incomeOther', a.income_other);
  put('disabled', a.disabled);
  return v;
}

/** Answers as the confirmation page and the read-only view list them: label → text. */
export function answerLines(a: AnswersRow | undefined): { label: string; value: string }[] {
  const values = formValues(a);
  const lines: { label: string; value: string }[] = [];
  for (const [name, value] of Object.entries(values)) {
    const choices = (CHOICES as Record<string, Record<string, string>>)[name];
    const shown = choices ? (choices[value] ?? value) : (AMOUNT_FIELDS as readonly string[]).includes(name) || name === 'monthlySupport'
      ? `${Number(value).toLocaleString('ja-JP')}円` : value;
    lines.push({ label: LABELS[name] ?? name, value: shown });
  }
  return lines;
}

import { z } from 'zod';
import { echoValues } from '../../http/forms.js';
import { emailProblem, normalizeEmail } from '../../lib/email-address.js';
import { passwordProblems } from '../../lib/password-rules.js';

export { identitySchema } from '../identity/schema.js';

/** docs/signup.md, step 2: 6–50 half-width characters from A–Z a–z 0–9 and @ - _ . + */
export const LOGIN_ID_MIN = 6;
export const LOGIN_ID_MAX = 50;
const LOGIN_ID_CHARS = /^[A-Za-z0-9@\-_.+]*$/;

/** Shown above the field before anything is typed. */
export const LOGIN_ID_RULES_TEXT: readonly string[] = [
  `${LOGIN_ID_MIN}〜${LOGIN_ID_MAX}文字の半角英数字と記号（@ - _ . +）`,
  '大文字と小文字は区別しません（Kenpo01 と kenpo01 は同じIDです）',
  'ほかの方が使っているIDは使えません',
];

/** Every rule the login ID breaks, each its own message. */
export function loginIdProblems(loginId: string): string[] {
  const problems: string[] = [];
  if (loginId === '') return ['ユーザーIDを入力してください'];
  if (loginId.length < LOGIN_ID_MIN || loginId.length > LOGIN_ID_MAX) {
    problems.push(`ユーザーIDは${LOGIN_ID_MIN}文字以上${LOGIN_ID_MAX}文字以内で入力してください（現在${loginId.length}文字）`);
  }
  if (!LOGIN_ID_CHARS.test(loginId)) {
    problems.push('ユーザーIDに使えない文字が含まれています。半角英数字と記号 @ - _ . + のみ使えます（全角文字・空白は使えません）');
  }
  return problems;
}

const text = (label: string, max: number) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `${label}を入力してください` : `${label}を正しく入力してください`) })
    .max(max, `${label}は${max}文字以内で入力してください`);

/**
 * Step 2. Where the society pre-registered an address the e-mail fields are not on the
 * page and not read. Every failed rule becomes its own message (see parseAllProblems).
 */
export function accountSchema(opts: { emailPreset: boolean }) {
  const email = opts.emailPreset ? z.unknown().optional() : text('メールアドレス', 300).trim();
  const emailConfirm = opts.emailPreset ? z.unknown().optional() : text('メールアドレス（確認用）', 300).trim();
  return z
    .object({
      loginId: text('ユーザーID', 200).trim(),
      password: text('パスワード', 200),
      passwordConfirm: text('パスワード（確認用）', 200),
      email,
      emailConfirm,
    })
    .superRefine((v, ctx) => {
      const add = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      const loginId = typeof v.loginId === 'string' ? v.loginId : '';
      if (typeof v.loginId === 'string') for (const p of loginIdProblems(loginId)) add('loginId', p);
      if (typeof v.password === 'string') {
        if (v.password === '') add('password', 'パスワードを入力してください');
        else for (const p of passwordProblems(v.password, { loginId })) add('password', p);
        if (v.passwordConfirm === '') add('passwordConfirm', '確認のため、パスワードをもう一度入力してください');
        else if (typeof v.passwordConfirm === 'string' && v.passwordConfirm !== v.password) {
          add('passwordConfirm', 'パスワードと確認用のパスワードが一致しません');
        }
      }
      if (!opts.emailPreset && typeof v.email === 'string') {
        const problem = emailProblem(v.email);
        if (problem) add('email', problem);
        if (v.emailConfirm === '') add('emailConfirm', '確認のため、メールアドレスをもう一度入力してください');
        else if (typeof v.emailConfirm === 'string' && normalizeEmail(v.emailConfirm) !== normalizeEmail(v.email)) {
          add('emailConfirm', 'メールアドレスと確認用のメールアドレスが一致しません');
        }
      }
    })
    .transform((v) => ({
      loginId: v.loginId,
      password: v.password,
      email: typeof v.email === 'string' ? normalizeEmail(v.email) : undefined,
    }));
}

export const ACCOUNT_LABELS: Record<string, string> = {
  loginId: 'ユーザーID',
  password: 'パスワード',
  passwordConfirm: 'パスワード（確認用）',
  email: 'メールアドレス',
  emailConfirm: 'メールアドレス（確認用）',
};

export type ProblemLists = Record<string, string[]>;

/**
 * Like http/forms.ts parseForm, but keeps every message of a field (the account page
 * lists each broken password rule), and the first one per field for the summary.
 */
export function parseAllProblems<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; data: z.output<S> } | { ok: false; problems: ProblemLists; errors: Record<string, string>; values: Record<string, string> } {
  const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const problems: ProblemLists = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    const list = (problems[field] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  const errors = Object.fromEntries(Object.entries(problems).map(([field, list]) => [field, list[0]!]));
  return { ok: false, problems, errors, values: echoValues(input) };
}

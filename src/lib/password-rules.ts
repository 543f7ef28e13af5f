import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The society's password rules (docs/signup.md, step 2): 8–20 characters from
 * A–Z a–z 0–9 and ? ! @ # $ % & ( ) _ +, at least one letter, one digit and
 * one symbol, not the login ID, and not one of the most common passwords.
 * Each failed rule is its own Japanese message.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 20;
export const PASSWORD_SYMBOLS = '?!@#$%&()_+';

/** Shown above the field before anything is typed. */
export const PASSWORD_RULES_TEXT: readonly string[] = [
  `${PASSWORD_MIN}〜${PASSWORD_MAX}文字の半角英数字・記号`,
  '英字・数字・記号（? ! @ # $ % & ( ) _ +）をそれぞれ1文字以上含める',
  'ユーザーIDと同じものは使えません',
  '推測されやすいもの（password1! など）は使えません',
];

const ALLOWED = /^[A-Za-z0-9?!@#$%&()_+]*$/;
const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const SYMBOL = /[?!@#$%&()_+]/;

// zxcvbn-ts's list of ~49,000 passwords seen most often in breaches, most common first.
const COMMON = new Set(dictionary['passwords-common'] as string[]);
// Words that, padded with digits and symbols, still make a guessable password ("Password1!").
const COMMON_BASES = new Set((dictionary['passwords-common'] as string[]).slice(0, 10_000).filter((w) => /^[a-z]{4,}$/.test(w)));
const LEET: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't' };

const deLeet = (s: string) => s.replace(/[@40135$7!]/g, (c) => LEET[c] ?? c);
// What people add to satisfy composition rules: digits and symbols before and after a word.
const PADDING = /^[^a-z]+|[^a-z]+$/g;
const PADDING_KEEPING_LEET = /^[^a-z@40135$7!]+|[^a-z@40135$7!]+$/g;

/**
 * In the list as typed or de-leeted (`p@ssw0rd`), or a common word once its padding is
 * stripped. The padding is stripped BEFORE leet is undone: `P@ssw0rd1` must become
 * `p@ssw0rd` → `password`, not `passwordi` (the trailing 1 read as an i).
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || COMMON.has(deLeet(lower))) return true;
  const bases = [
    lower.replace(PADDING, ''),
    deLeet(lower.replace(PADDING, '')),
    deLeet(lower.replace(PADDING_KEEPING_LEET, '')).replace(PADDING, ''),
    deLeet(lower).replace(PADDING, ''),
  ];
  return bases.some((base) => COMMON_BASES.has(base));
}

/** Every rule the password breaks, in the order the rules are listed; [] when it is acceptable. */
export function passwordProblems(password: string, opts: { loginId?: string } = {}): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    problems.push(`パスワードは${PASSWORD_MIN}文字以上${PASSWORD_MAX}文字以内で入力してください（現在${password.length}文字）`);
  }
  if (!ALLOWED.test(password)) {
    problems.push('パスワードに使えない文字が含まれています。半角英数字と記号 ? ! @ # $ % & ( ) _ + のみ使えます（全角文字・空白は使えません）');
  }
  if (!LETTER.test(password)) problems.push('パスワードには英字を1文字以上含めてください');
  if (!DIGIT.test(password)) problems.push('パスワードには数字を1文字以上含めてください');
  if (!SYMBOL.test(password)) problems.push('パスワードには記号（? ! @ # $ % & ( ) _ +）を1文字以上含めてください');
  if (opts.loginId && password.toLowerCase() === opts.loginId.toLowerCase()) {
    problems.push('ユーザーIDと同じパスワードは使えません');
  }
  if (problems.length === 0 && isCommonPassword(password)) {
    problems.push('このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください');
  }
  return problems;
}

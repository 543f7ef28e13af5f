import { isCommonPassword } from './password-rules.js';

/**
 * Staff passwords follow OWASP ASVS (V2.1), not the members' rule: 12–128
 * characters, any printable character (spaces, Japanese, emoji, every symbol), no
 * composition rule, and refused when common. A password manager's `Xk-93_vQ…` and a
 * passphrase both work. Length is counted in characters as a person counts them
 * (code points), not UTF-16 units.
 */
export const STAFF_PASSWORD_MIN = 12;
export const STAFF_PASSWORD_MAX = 128;

/** Shown above the field before anything is typed. */
export const STAFF_PASSWORD_RULES_TEXT: readonly string[] = [
  `${STAFF_PASSWORD_MIN}〜${STAFF_PASSWORD_MAX}文字（長いほど安全です。文章のようなパスフレーズもおすすめです）`,
  '英字・数字・記号・空白・日本語など、どの文字でも使えます（文字の種類の組み合わせは問いません）',
  'ログインIDと同じものや、推測されやすいもの（password1234 など）は使えません',
];

// Control characters cannot be typed on purpose, and a lone surrogate is not a character.
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * The members' list of common passwords, also after the digits and symbols people add
 * at the end to reach a length ("P@ssw0rd12345" is "P@ssw0rd" and then "password").
 */
function isCommon(password: string): boolean {
  const padded = /^(.*?[^0-9!-/:-@[-`{-~\s])[0-9!-/:-@[-`{-~\s]+$/u.exec(password);
  return isCommonPassword(password) || (padded !== null && isCommonPassword(padded[1]!));
}

/** Every rule the password breaks; [] when it is acceptable. */
export function staffPasswordProblems(password: string, opts: { loginId?: string } = {}): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < STAFF_PASSWORD_MIN || length > STAFF_PASSWORD_MAX) {
    problems.push(`パスワードは${STAFF_PASSWORD_MIN}文字以上${STAFF_PASSWORD_MAX}文字以内で入力してください（現在${length}文字）`);
  }
  if (UNPRINTABLE.test(password)) problems.push('パスワードに使えない制御文字が含まれています');
  if (opts.loginId && password.toLowerCase() === opts.loginId.toLowerCase()) {
    problems.push('ログインIDと同じパスワードは使えません');
  }
  if (problems.length === 0 && isCommon(password.trim())) {
    problems.push('このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください');
  }
  return problems;
}

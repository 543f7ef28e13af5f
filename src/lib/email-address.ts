/**
 * Checks an e-mail address the way mail servers will: refuses the shapes
 * that Japanese carriers once allowed and most servers now reject
 * (leading, trailing or doubled dots in the local part), with a message
 * that says why. Returns undefined when the address is acceptable.
 */
export const EMAIL_MAX = 254;

const LOCAL_CHARS = /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~.-]+$/;
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return 'メールアドレスを入力してください';
  if (email.length > EMAIL_MAX) return `メールアドレスは${EMAIL_MAX}文字以内で入力してください`;
  if (/[^\x21-\x7e]/.test(email)) return 'メールアドレスは半角英数字と記号で入力してください（全角文字・空白は使えません）';
  const at = email.lastIndexOf('@');
  if (at < 1 || email.indexOf('@') !== at) return 'メールアドレスの形式が正しくありません（@ が1つ必要です）';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64) return '@より前の部分は64文字以内にしてください';
  if (local.startsWith('.')) return '@より前の部分がドット（.）で始まるアドレスは、多くのメールサーバーで受信できないため使えません';
  if (local.endsWith('.')) return '@の直前がドット（.）のアドレスは、多くのメールサーバーで受信できないため使えません';
  if (local.includes('..')) return 'ドット（.）が連続するアドレスは、多くのメールサーバーで受信できないため使えません';
  if (!LOCAL_CHARS.test(local)) return '@より前の部分に使えない文字が含まれています';
  if (!DOMAIN.test(domain)) return '@より後ろ（ドメイン）の形式が正しくありません';
  return undefined;
}

/** Addresses compare without regard to the case of the domain; the local part is kept as typed. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + '@' + email.slice(at + 1).toLowerCase();
}

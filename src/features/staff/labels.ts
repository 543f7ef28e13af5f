/** Japanese names for the codes the console shows. Unknown codes are shown as they are. */

const MAIL_KINDS: Record<string, string> = {
  signup_code: '認証コード（初回登録）',
  signup_done: '登録完了のお知らせ',
  signup_complete: '登録完了のお知らせ',
  email_change_code: '認証コード（メールアドレス変更）',
  email_changed: 'メールアドレス変更のお知らせ',
  password_changed: 'パスワード変更のお知らせ',
  password_reset: 'パスワード再設定のご案内',
  password_reset_done: 'パスワード再設定完了のお知らせ',
  userid_reminder: 'ユーザーIDのお知らせ',
  userid_forgot: 'ユーザーIDのお知らせ',
  account_locked: 'アカウントロックのお知らせ',
  registry_email_changed: '登録メールアドレス変更のお知らせ（元のアドレスへ）',
};

export function mailKindLabel(kind: string): string {
  return MAIL_KINDS[kind] ?? `その他（${kind}）`;
}

const ATTEMPT_KINDS: Record<string, string> = {
  identity: '本人確認（初回登録）',
  login: 'ログイン',
  code: '認証コード入力',
};

export function attemptKindLabel(kind: string): string {
  return ATTEMPT_KINDS[kind] ?? kind;
}

const EMAIL_IN_TEXT = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

/**
 * An SMTP error often quotes the recipient ("550 <kenpo@example.co.jp>: no such user"):
 * mask every address in it before an operator sees it.
 */
export function maskAddressesIn(text: string, mask: (email: string) => string): string {
  return text.replace(EMAIL_IN_TEXT, (m) => mask(m));
}

const ERAS = [
  { name: '令和', start: '2019-05-01', first: 2019 },
  { name: '平成', start: '1989-01-08', first: 1989 },
  { name: '昭和', start: '1926-12-25', first: 1926 },
  { name: '大正', start: '1912-07-30', first: 1912 },
];

/** `1985-04-01` → `1985年4月1日（昭和60年）`: callers often give the 和暦 year. */
export function birthDateText(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const era = ERAS.find((e) => iso >= e.start);
  const wareki = era ? `（${era.name}${y - era.first + 1 === 1 ? '元' : y - era.first + 1}年）` : '';
  return `${y}年${m}月${d}日${wareki}`;
}

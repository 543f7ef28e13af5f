/**
 * `kenpo@example.co.jp` → `k****@example.co.jp`: enough for a member or an
 * operator to recognise the address, not enough to learn it.
 */
export function maskEmail(email: string | null | undefined): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  if (at < 1) return '****';
  return `${email[0]}****${email.slice(at)}`;
}

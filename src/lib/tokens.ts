import crypto from 'node:crypto';

/** A six-digit code from the cryptographic generator (000000–999999, uniform). */
export function newNumericCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A 256-bit URL-safe token for links. */
export function newUrlToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Codes and tokens are stored only as this hash. Short-lived and high-entropy (tokens) or throttled (codes), so SHA-256 suffices. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && crypto.timingSafeEqual(ba, bb);
}

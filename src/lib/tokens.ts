import crypto from 'node:crypto';

/**
 * A key for one purpose, derived from SESSION_SECRET as HMAC-SHA256(secret, label): a value
 * signed for one purpose (member cookies, staff cookies, each side's CSRF tokens) never
 * verifies for another.
 */
export function deriveKey(secret: string, label: string): Buffer {
  return crypto.createHmac('sha256', secret).update(label).digest();
}

/** A six-digit code from the cryptographic generator (000000–999999, uniform). */
export function newNumericCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A 256-bit URL-safe token for links. */
export function newUrlToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * How codes and link tokens are stored: HMAC-SHA256 under a key derived from the server
 * secret for one purpose. A plain hash of a six-digit code is reversed in a second by
 * anyone who reads the database; without the key the stored value tells nothing.
 */
export function keyedHasher(secret: string, purpose: string): (value: string) => string {
  const key = deriveKey(secret, `stored-hash:${purpose}`);
  return (value) => crypto.createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && crypto.timingSafeEqual(ba, bb);
}

/**
 * Random bytes are drawn from the cryptographic generator in 4 KiB batches, as Node does for
 * randomUUID: a session id or CSRF nonce per anonymous page view then costs a slice, not a
 * call into OpenSSL. Every byte is handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** `bytes` random bytes as base64url (e.g. 24 → 32 characters). */
export function randomId(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = crypto.randomBytes(Math.max(POOL_BYTES, bytes));
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return id;
}

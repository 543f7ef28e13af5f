import argon2 from 'argon2';

/**
 * argon2id above the portal's floor (SECURITY.md) (m = 19 MiB, t = 2, p = 1; OWASP's
 * first recommended setting). argon2 hashes on libuv's thread pool, so a
 * hash never blocks the event loop.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed stored hash never lets anyone in
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same argon2 time as a real check, for an unknown login ID, so
 * the answer time does not tell whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= argon2.hash('dummy-password-for-timing', ARGON2_OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}

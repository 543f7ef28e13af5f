import crypto from 'node:crypto';
import { PASSWORD_SYMBOLS } from '../../../lib/password-rules.js';
import { staffPasswordProblems } from '../../../lib/staff-password-rules.js';

// No 0/O, 1/l/I: the administrator reads this password out or copies it by hand.
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const ALPHABET = LETTERS + DIGITS + PASSWORD_SYMBOLS;

/**
 * A one-time password for a new staff member (about 95 bits), drawn until it
 * satisfies the staff password rule; it must be changed at first sign-in.
 */
export function newInitialPassword(loginId: string, length = 16): string {
  for (;;) {
    let pw = '';
    for (let i = 0; i < length; i++) pw += ALPHABET[crypto.randomInt(ALPHABET.length)];
    if (staffPasswordProblems(pw, { loginId }).length === 0) return pw;
  }
}

import { describe, expect, it } from 'vitest';
import { isCommonPassword, passwordProblems } from '../../src/lib/password-rules.js';

describe('the common-password blocklist', () => {
  // Found by a review: leet was undone before the padding was stripped, so the trailing 1 of
  // P@ssw0rd1 became an "i" and the word no longer matched.
  for (const password of ['P@ssw0rd1', 'Passw0rd!', 'Qw3rty1!', 'Welc0me1!', 'Password1!', 'Dr@gon2026!']) {
    it(`refuses ${password}`, () => {
      expect(isCommonPassword(password)).toBe(true);
      expect(passwordProblems(password)).toContain('このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください');
    });
  }

  for (const password of ['Kenpo#2026x', 'Hoken#Taro7', 'm7(Vq!x2Lp']) {
    it(`accepts ${password}`, () => {
      expect(isCommonPassword(password)).toBe(false);
      expect(passwordProblems(password)).toEqual([]);
    });
  }
});

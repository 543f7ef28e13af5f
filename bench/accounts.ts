import path from 'node:path';
import argon2 from 'argon2';
import { openDatabase } from '../src/db/database.js';
import { ARGON2_OPTIONS, hashPassword } from '../src/lib/passwords.js';
import { memberAt } from './generate-members.js';
import { INSURER_CODE } from './support.js';

/** The account the login scenarios use: generated member 0, signed up and terms accepted. */
export const LOGIN = { loginId: 'benchuser01', password: 'Bench#2026pw' };

/**
 * Creates the login account straight in the database (the signup flow is measured on its own)
 * with a real argon2id hash, and accepts the insurer's latest terms if it has any, so a login
 * lands on my page.
 */
export async function createLoginAccount(dataDir: string): Promise<void> {
  const db = openDatabase(path.join(dataDir, 'portal.db'));
  try {
    const m = memberAt(0);
    const member = db
      .prepare<[string, string, string], { id: number; insurer_id: number }>(
        `SELECT m.id, m.insurer_id FROM members m JOIN insurers i ON i.id = m.insurer_id
          WHERE i.code = ? AND m.symbol = ? AND m.number = ?`,
      )
      .get(INSURER_CODE, m.symbol, m.number);
    if (!member) throw new Error('generated member 0 is not in the registry');
    const now = Date.now();
    const hash = await hashPassword(LOGIN.password);
    const accountId = Number(
      db
        .prepare(
          `INSERT INTO accounts (member_id, login_id, password_hash, email, status, password_changed_at, created_at)
           VALUES (?, ?, ?, ?, 'active', ?, ?)`,
        )
        .run(member.id, LOGIN.loginId, hash, 'bench@example.co.jp', now, now).lastInsertRowid,
    );
    const terms = db
      .prepare<[number], number>('SELECT id FROM terms_versions WHERE insurer_id = ? ORDER BY version DESC LIMIT 1')
      .pluck()
      .get(member.insurer_id);
    if (terms !== undefined) {
      db.prepare('INSERT INTO terms_acceptances (account_id, terms_version_id, accepted_at, client_ip) VALUES (?, ?, ?, ?)').run(
        accountId, terms, now, '127.0.0.1',
      );
    }
  } finally {
    db.close();
  }
}

/** Median time of one argon2id hash with the portal's parameters, measured now (ms). */
export async function argon2HashMs(samples = 7): Promise<number> {
  await argon2.hash('warm-up', ARGON2_OPTIONS);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await argon2.hash(`bench-password-${i}`, ARGON2_OPTIONS);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * A random generated member who can sign up: still eligible (1 in 50 has lost eligibility and
 * gets the "contact the society" page instead), and not member 0, who has the login account.
 */
export function randomSignupMember(rows: number): number {
  for (;;) {
    const i = 1 + Math.floor(Math.random() * (rows - 1));
    if (memberAt(i).status === 'active') return i;
  }
}

/** Identity-check form fields of generated member `i`, as a member types them. */
export function identityFields(i: number): Record<string, string> {
  const m = memberAt(i);
  const [year, month, day] = m.birthDate.split('-');
  return {
    insurerCode: INSURER_CODE,
    symbol: m.symbol,
    number: m.number,
    birthYear: year!,
    birthMonth: String(Number(month)),
    birthDay: String(Number(day)),
    nameKana: m.nameKana,
  };
}

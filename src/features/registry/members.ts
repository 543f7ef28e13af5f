import type { Db } from '../../db/database.js';
import { kanaKey, kanaVariantKey } from '../../lib/kana.js';
import { canonicalCardValue } from '../../lib/identifiers.js';

/** A registry row as the application reads it. */
export interface Member {
  id: number;
  insurer_id: number;
  symbol: string;
  number: string;
  birth_date: string;
  name: string;
  name_kana: string;
  email: string | null;
  status: 'active' | 'lost';
  signup_locked_until: number | null;
}

export const MEMBER_COLUMNS =
  'id, insurer_id, symbol, number, birth_date, name, name_kana, email, status, signup_locked_until';

export interface NewMember {
  insurerId: number;
  symbol: string;
  number: string;
  birthDate: string;
  name: string;
  nameKana: string;
  email?: string | null;
  status?: 'active' | 'lost';
}

/** Inserts one member with canonical 記号/番号 and both kana keys (demo data, tests). */
export function insertMember(db: Db, m: NewMember, now: number): Member {
  const symbol = canonicalCardValue(m.symbol);
  const number = canonicalCardValue(m.number);
  const id = Number(
    db
      .prepare(
        `INSERT INTO members (insurer_id, symbol, number, birth_date, name, name_kana, kana_key, kana_variant_key,
           email, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.insurerId, symbol, number, m.birthDate, m.name, m.nameKana,
        kanaKey(m.nameKana), kanaVariantKey(m.nameKana), m.email ?? null, m.status ?? 'active', now, now,
      ).lastInsertRowid,
  );
  return findMemberById(db, id)!;
}

export function findMemberById(db: Db, id: number): Member | undefined {
  return db.prepare<[number], Member>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE id = ?`).get(id);
}

export function findMemberByCard(db: Db, insurerId: number, symbol: string, number: string): Member | undefined {
  return db
    .prepare<[number, string, string], Member>(
      `SELECT ${MEMBER_COLUMNS} FROM members WHERE insurer_id = ? AND symbol = ? AND number = ?`,
    )
    .get(insurerId, symbol, number);
}

export function countMembers(db: Db): number {
  return db.prepare('SELECT count(*) FROM members').pluck().get() as number;
}

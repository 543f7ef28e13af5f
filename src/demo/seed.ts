import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { findInsurerByCode, insertInsurer, type Insurer } from '../features/registry/insurers.js';
import { insertMember, type NewMember } from '../features/registry/members.js';

export const DEMO_INSURER = {
  code: 'ungkenpo',
  name: 'U-NEXT HOLDINGS健康保険組合',
  call_center_phone: '0120-000-123',
  call_center_hours: '平日 9:00〜18:00（年末年始を除く）',
  call_center_email: 'portal-support@example.co.jp',
  office_phone: '03-0000-1234',
  office_hours: '平日 9:30〜17:30',
};

/** The member the start-up banner offers to try; no pre-registered address. */
export const DEMO_MEMBER = {
  symbol: '1001',
  number: '1',
  birthDate: '1985-04-01',
  name: '健保 祥子',
  nameKana: 'ケンポ ショウコ',
};

const OTHER_MEMBERS: Omit<NewMember, 'insurerId'>[] = [
  { symbol: '1001', number: '2', birthDate: '1990-12-24', name: '保険 太郎', nameKana: 'ホケン タロウ', email: 'taro.hoken@example.com' },
  { symbol: '1001', number: '3', birthDate: '1962-07-15', name: '都築 花子', nameKana: 'ツヅキ ハナコ' },
  { symbol: '2002', number: '15', birthDate: '1979-02-28', name: '資格 喪子', nameKana: 'シカク モコ', status: 'lost' },
];

/**
 * Demo data for a fresh development database: the demo society and a few
 * members (one with a pre-registered address, one who lost eligibility).
 * Returns false and changes nothing when the insurer already exists.
 */
export function seedDemo(deps: { db: Db; clock: Clock }): { seeded: boolean; insurer: Insurer } {
  const { db, clock } = deps;
  return db.transaction(() => {
    const existing = findInsurerByCode(db, DEMO_INSURER.code);
    if (existing) return { seeded: false, insurer: existing };
    const now = clock.now();
    const insurer = insertInsurer(db, DEMO_INSURER, now);
    for (const m of [DEMO_MEMBER, ...OTHER_MEMBERS]) insertMember(db, { ...m, insurerId: insurer.id }, now);
    return { seeded: true, insurer };
  }).immediate();
}

export function isDatabaseEmpty(db: Db): boolean {
  return (db.prepare('SELECT count(*) FROM insurers').pluck().get() as number) === 0;
}

import fs from 'node:fs';
import type { Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import { findInsurerByCode, insertInsurer, type Insurer } from '../features/registry/insurers.js';
import { createNoticeService } from '../features/notices/service.js';
import { createTermsService } from '../features/terms/service.js';
import { insertMember, type NewMember } from '../features/registry/members.js';
import { insertStaff } from '../features/staff/queries.js';
import { seedDemoSurvey } from './survey.js';

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
export function seedDemo(deps: { db: Db; clock: Clock; config?: { isProduction: boolean } }): { seeded: boolean; insurer: Insurer } {
  const { db, clock } = deps;
  return db.transaction(() => {
    const existing = findInsurerByCode(db, DEMO_INSURER.code);
    if (existing) return { seeded: false, insurer: existing };
    const now = clock.now();
    const insurer = insertInsurer(db, DEMO_INSURER, now);
    for (const m of [DEMO_MEMBER, ...OTHER_MEMBERS]) insertMember(db, { ...m, insurerId: insurer.id }, now);
    seedDemoTermsAndNotice({ db, clock }, insurer.id);
    seedDemoSurvey({ db, clock }, insurer.id);
    // A supervisor whose password is printed in the README must never exist in production.
    if (!deps.config?.isProduction) seedDemoStaff({ db, clock });
    return { seeded: true, insurer };
  }).immediate();
}

/**
 * The demo call-center supervisor: development only, its password is printed by
 * the start-up banner and must be changed (with an authenticator app enrolled)
 * at first sign-in.
 */
export const DEMO_STAFF = { loginId: 'demo-supervisor', initialPassword: 'DemoStaff#2026' };
// argon2id (m=19456, t=2, p=1) of DEMO_STAFF.initialPassword, computed once: seedDemo runs in a
// synchronous transaction and argon2 only hashes asynchronously.
const DEMO_STAFF_HASH = '$argon2id$v=19$m=19456,p=1,t=2$Y4/KSF9tlFGt2GCplLbFQw$sYWW2XdDxPm7Sj+f9HJ2UgjpIyIzY6YF/QTBlhsJ11M';

/** Adds the demo supervisor unless a staff member of that name exists; call inside a transaction. */
export function seedDemoStaff(deps: { db: Db; clock: Clock }): boolean {
  const exists = deps.db.prepare('SELECT 1 FROM staff WHERE login_id = ?').get(DEMO_STAFF.loginId);
  if (exists) return false;
  insertStaff(
    deps.db,
    { loginId: DEMO_STAFF.loginId, role: 'supervisor', passwordHash: DEMO_STAFF_HASH, allInsurers: true, insurerIds: [] },
    deps.clock.now(),
  );
  return true;
}

// Read from src/ both when running from src (tests) and from dist (the same depth).
const DEMO_TERMS_FILE = new URL('../../src/demo/terms-v1.md', import.meta.url);

/** The first version of the demo society's terms of use and one notice; call inside a transaction. */
export function seedDemoTermsAndNotice(deps: { db: Db; clock: Clock }, insurerId: number): void {
  createTermsService(deps).publish(insurerId, fs.readFileSync(DEMO_TERMS_FILE, 'utf8'));
  createNoticeService(deps).add({
    insurerId,
    title: '年度替わりのユーザーID・パスワードのリセットについて',
    body: 'ユーザーID・パスワードは毎年度4月1日にリセットされます。\n新年度も引き続きご利用の方は、ログイン画面の「初回登録へ進む」から、あらためて登録をお願いします。',
    untilDate: null,
  });
}

export function isDatabaseEmpty(db: Db): boolean {
  return (db.prepare('SELECT count(*) FROM insurers').pluck().get() as number) === 0;
}

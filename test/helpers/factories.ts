import type { Db } from '../../src/db/database.js';
import type { Clock } from '../../src/lib/clock.js';
import { insertInsurer, type Insurer } from '../../src/features/registry/insurers.js';
import { insertMember, type Member, type NewMember } from '../../src/features/registry/members.js';

let seq = 0;

export function makeInsurer(db: Db, clock: Clock, overrides: Partial<Omit<Insurer, 'id'>> = {}): Insurer {
  seq += 1;
  return insertInsurer(
    db,
    {
      code: `kenpo${seq}`,
      name: `テスト${seq}健康保険組合`,
      call_center_phone: '0120-111-222',
      call_center_hours: '平日 9:00〜18:00',
      call_center_email: 'help@example.co.jp',
      office_phone: '03-1111-2222',
      office_hours: '平日 9:30〜17:30',
      ...overrides,
    },
    clock.now(),
  );
}

export function makeMember(db: Db, clock: Clock, insurer: Insurer, overrides: Partial<Omit<NewMember, 'insurerId'>> = {}): Member {
  seq += 1;
  return insertMember(
    db,
    {
      insurerId: insurer.id,
      symbol: '100',
      number: String(seq),
      birthDate: '1985-04-01',
      name: '健保 祥子',
      nameKana: 'ケンポ ショウコ',
      ...overrides,
    },
    clock.now(),
  );
}

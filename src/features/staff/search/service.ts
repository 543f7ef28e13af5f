import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { kanaKeys } from '../../../lib/kana.js';
import { findInsurerByCode, listInsurers, type Insurer } from '../../registry/insurers.js';
import { recordAudit } from '../../audit/writer.js';
import type { SignedInStaff, StaffScope } from '../guard.js';
import { birthDateText } from '../labels.js';
import { findMembersByCard, findMembersByKana, SEARCH_LIMIT, type StaffMemberRow } from '../members/queries.js';
import { memberStatus } from '../members/service.js';

/** One line of the result table. */
export interface SearchHit {
  id: number;
  insurerName: string;
  symbol: string;
  number: string;
  name: string;
  nameKana: string;
  birthDate: string;
  eligibility: string;
  statusLabel: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** More than SEARCH_LIMIT matched: only the first are shown. */
  truncated: boolean;
  /** The birthdate a kana search looked for, as the page states it (和暦 included). */
  searchedDate?: string;
}

/**
 * Look-ups, exact only: insurer + 記号 + 番号 in canonical form, or both kana
 * keys + birthdate. Every search is audited, including one that finds nobody.
 */
export function createSearchService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  function visibleInsurers(scope: StaffScope): Insurer[] {
    const all = listInsurers(db);
    if (scope.all) return all;
    const ids = new Set(
      db.prepare<[number], number>('SELECT insurer_id FROM staff_insurers WHERE staff_id = ?').pluck().all(scope.staffId),
    );
    return all.filter((i) => ids.has(i.id));
  }

  function finish(staff: SignedInStaff, clientIp: string, query: string, rows: StaffMemberRow[]): SearchResult {
    const truncated = rows.length > SEARCH_LIMIT;
    const shown = rows.slice(0, SEARCH_LIMIT);
    const now = clock.now();
    inTransaction(db, () =>
      recordAudit(db, clock, {
        staffId: staff.id,
        staffLogin: staff.loginId,
        clientIp,
        action: 'search',
        query,
        memberId: shown.length === 1 ? shown[0]!.id : null,
        detail: `${shown.length}件${truncated ? '以上' : ''}${shown.length ? `: ${shown.map((r) => r.id).join(' ')}` : ''}`,
      }),
    );
    return {
      truncated,
      hits: shown.map((r) => ({
        id: r.id,
        insurerName: r.insurer_name,
        symbol: r.symbol,
        number: r.number,
        name: r.name,
        nameKana: r.name_kana,
        birthDate: birthDateText(r.birth_date),
        eligibility: r.status === 'lost' ? '資格喪失' : '資格あり',
        statusLabel: memberStatus(db, now, r).label,
      })),
    };
  }

  /** An insurer outside the staff member's scope finds nobody (and is audited like any search). */
  function byCard(staff: SignedInStaff, q: { insurerCode: string; symbol: string; number: string }, clientIp: string): SearchResult {
    const insurer = findInsurerByCode(db, q.insurerCode);
    const rows = insurer ? findMembersByCard(db, staff.scope, insurer.id, q.symbol, q.number) : [];
    return finish(staff, clientIp, `記号・番号: 保険者=${q.insurerCode} 記号=${q.symbol} 番号=${q.number}`, rows);
  }

  function byKana(staff: SignedInStaff, q: { nameKana: string; birthDate: string }, clientIp: string): SearchResult {
    const rows = findMembersByKana(db, staff.scope, kanaKeys(q.nameKana), q.birthDate);
    return finish(staff, clientIp, `カナ氏名・生年月日: 氏名=${q.nameKana} 生年月日=${q.birthDate}`, rows);
  }

  return { visibleInsurers, byCard, byKana };
}

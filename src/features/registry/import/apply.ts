import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import { countMembers, hasMembersOf, secondaryMemberIndexes, upsertStagedMembers } from './queries.js';

/**
 * Phase 3 of the member import: the staged rows into the members table, in one IMMEDIATE
 * transaction (a failure part-way changes nothing). Readers keep their snapshot meanwhile.
 */

/** Rebuilding an index from sorted keys beats inserting as many keys one by one into it. */
const REBUILD_INDEXES_MIN_ROWS = 50_000;

export interface Applied {
  added: number;
  updated: number;
}

/** Thrown inside the apply transaction to roll it back. */
class DuplicatesFound extends Error {}

/**
 * Phase 3 for insurers with no member yet, before any duplicate check: gives up
 * ('not-first-load') when they have members after all, and rolls back ('duplicates') when the
 * unique key merged rows of the file (fewer rows added than staged).
 */
export function applyFirstLoad(db: Db, now: number, rows: number, insurerIds: Set<number>): Applied | 'not-first-load' | 'duplicates' {
  try {
    return inTransaction(db, () => {
      if (hasMembersOf(db, insurerIds)) return 'not-first-load';
      return upsertAll(db, now, rows, 'file', (added) => {
        if (added < rows) throw new DuplicatesFound();
      });
    });
  } catch (e) {
    if (e instanceof DuplicatesFound) return 'duplicates';
    throw e;
  }
}

/** Phase 3 after the duplicate check, in one transaction. */
export function applyChecked(db: Db, now: number, rows: number): Applied {
  return inTransaction(db, () => upsertAll(db, now, rows, 'card'));
}

/**
 * The upsert, inside the caller's transaction; the counts come from the table itself, before
 * and after. A first load (or one much bigger than the registry so far) drops the secondary
 * indexes and builds them again from sorted keys: inserting a million random kana keys one by
 * one costs several times more.
 */
function upsertAll(db: Db, now: number, rows: number, order: 'card' | 'file', check?: (added: number) => void): Applied {
  const before = countMembers(db);
  const rebuild = rows >= REBUILD_INDEXES_MIN_ROWS && rows > 2 * before ? secondaryMemberIndexes(db) : [];
  for (const index of rebuild) db.exec(`DROP INDEX main."${index.name}"`);
  const changes = upsertStagedMembers(db, now, order);
  const added = countMembers(db) - before;
  check?.(added);
  for (const index of rebuild) db.exec(index.sql);
  return { added, updated: changes - added };
}

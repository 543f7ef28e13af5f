import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { findInsurerByCode, findInsurerById, layoutInsurerByCode, layoutInsurerById, layoutSoleInsurer, type Insurer } from './insurers.js';
import { findMemberById, type Member } from './members.js';

export type { Insurer } from './insurers.js';
export type { Member } from './members.js';

/**
 * The registry as the other features read it: insurers (from memory for the layout) and
 * members by id. Features ask this service instead of reaching into the registry's SQL.
 */
export function createInsurerDirectory(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    insurerById: (id: number): Insurer | undefined => findInsurerById(db, id),
    insurerByCode: (code: string): Insurer | undefined => findInsurerByCode(db, code),
    memberById: (id: number): Member | undefined => findMemberById(db, id),
    /**
     * The insurer whose name heads a page (from memory, re-read at least every second): the one
     * the page names by code (or 保険者番号), else the session's, else the only one.
     */
    forLayout: (named: { code?: string; id?: number }): Insurer | undefined => {
      const now = clock.now();
      return (
        (named.code === undefined ? undefined : layoutInsurerByCode(db, named.code, now)) ??
        (named.id === undefined ? undefined : layoutInsurerById(db, named.id, now)) ??
        layoutSoleInsurer(db, now)
      );
    },
  };
}

export type InsurerDirectory = ReturnType<typeof createInsurerDirectory>;

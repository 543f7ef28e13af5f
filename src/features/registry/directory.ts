import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { findInsurerByCode, findInsurerById, layoutInsurerById, layoutSoleInsurer, type Insurer } from './insurers.js';
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
    /** The insurer whose name heads a page: from memory, re-read at least every second. */
    forLayout: (id: number | undefined): Insurer | undefined =>
      (id === undefined ? undefined : layoutInsurerById(db, id, clock.now())) ?? layoutSoleInsurer(db, clock.now()),
  };
}

export type InsurerDirectory = ReturnType<typeof createInsurerDirectory>;

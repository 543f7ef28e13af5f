import { cachedStatement, type Db } from '../../db/database.js';

/** An insurer as pages, mails and the command line use it. */
export interface Insurer {
  id: number;
  code: string;
  name: string;
  call_center_phone: string;
  call_center_hours: string;
  call_center_email: string;
  office_phone: string;
  office_hours: string;
}

const COLUMNS = 'id, code, name, call_center_phone, call_center_hours, call_center_email, office_phone, office_hours';

export function findInsurerById(db: Db, id: number): Insurer | undefined {
  return cachedStatement<[number], Insurer>(db, `SELECT ${COLUMNS} FROM insurers WHERE id = ?`).get(id);
}

export function findInsurerByCode(db: Db, code: string): Insurer | undefined {
  return cachedStatement<[string], Insurer>(db, `SELECT ${COLUMNS} FROM insurers WHERE code = ?`).get(code);
}

export function listInsurers(db: Db): Insurer[] {
  return cachedStatement<[], Insurer>(db, `SELECT ${COLUMNS} FROM insurers ORDER BY code`).all();
}

/**
 * The insurers as every page's header and footer show them, kept in memory: the table has a
 * handful of rows that the command line changes a few times a year, and reading it on each
 * request cost more than the rest of the login page. A change made in this process shows at
 * once; one made by the `portal` command (another process) within a second (`now` is the
 * injected clock's).
 */
const LAYOUT_CACHE_MS = 1_000;
let insurersGeneration = 0;
const layoutCaches = new WeakMap<Db, { generation: number; loadedAt: number; all: Insurer[] }>();

function layoutInsurers(db: Db, now: number): Insurer[] {
  let cache = layoutCaches.get(db);
  if (!cache || cache.generation !== insurersGeneration || now - cache.loadedAt >= LAYOUT_CACHE_MS || now < cache.loadedAt) {
    cache = { generation: insurersGeneration, loadedAt: now, all: listInsurers(db) };
    layoutCaches.set(db, cache);
  }
  return cache.all;
}

/** findInsurerById for the layout, from memory (see layoutInsurers). */
export function layoutInsurerById(db: Db, id: number, now: number): Insurer | undefined {
  return layoutInsurers(db, now).find((i) => i.id === id);
}

/** The insurer of a single-society deployment (undefined when there are none or several), from memory. */
export function layoutSoleInsurer(db: Db, now: number): Insurer | undefined {
  const all = layoutInsurers(db, now);
  return all.length === 1 ? all[0] : undefined;
}

export type NewInsurer = Omit<Insurer, 'id'>;

export function insertInsurer(db: Db, insurer: NewInsurer, now: number): Insurer {
  const id = Number(
    db
      .prepare(
        `INSERT INTO insurers (code, name, call_center_phone, call_center_hours, call_center_email, office_phone, office_hours, created_at)
         VALUES (@code, @name, @call_center_phone, @call_center_hours, @call_center_email, @office_phone, @office_hours, @now)`,
      )
      .run({ ...insurer, now }).lastInsertRowid,
  );
  insurersGeneration++;
  return { id, ...insurer };
}

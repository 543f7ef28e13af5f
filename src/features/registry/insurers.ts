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

/**
 * The insurer a link (`/portal/signup?insurer=CODE`) or a typed code names, by its code or its
 * 8-digit 保険者番号, folded as the identity check folds it; from memory except for a number.
 */
export function layoutInsurerByCode(db: Db, typed: string, now: number): Insurer | undefined {
  const code = typed.normalize('NFKC').trim().toLowerCase();
  if (code === '' || code.length > 40) return undefined;
  const byCode = layoutInsurers(db, now).find((i) => i.code === code);
  if (byCode) return byCode;
  const byNumber = /^[0-9]{8}$/.test(code) ? findInsurerByNumber(db, code) : undefined;
  return byNumber && layoutInsurerById(db, byNumber.id, now);
}

/** The insurer of a single-society deployment (undefined when there are none or several), from memory. */
export function layoutSoleInsurer(db: Db, now: number): Insurer | undefined {
  const all = layoutInsurers(db, now);
  return all.length === 1 ? all[0] : undefined;
}

/** A new insurer; `insurer_number` is the optional 8-digit 保険者番号 (an alias of the code at signup). */
export type NewInsurer = Omit<Insurer, 'id'> & { insurer_number?: string | null };

/** The contact lines and name `portal insurer update` may change. */
export type InsurerChanges = Partial<Omit<Insurer, 'id' | 'code'>> & { insurer_number?: string | null };

export function insertInsurer(db: Db, insurer: NewInsurer, now: number): Insurer {
  const id = Number(
    db
      .prepare(
        `INSERT INTO insurers (code, name, call_center_phone, call_center_hours, call_center_email, office_phone, office_hours,
           insurer_number, created_at)
         VALUES (@code, @name, @call_center_phone, @call_center_hours, @call_center_email, @office_phone, @office_hours,
           @insurer_number, @now)`,
      )
      .run({ ...insurer, insurer_number: insurer.insurer_number ?? null, now }).lastInsertRowid,
  );
  insurersGeneration++;
  const { insurer_number: _number, ...row } = insurer;
  return { id, ...row };
}

const UPDATABLE = ['name', 'call_center_phone', 'call_center_hours', 'call_center_email', 'office_phone', 'office_hours', 'insurer_number'] as const;

/** Changes the given columns of one insurer; pages show the change at once (see layoutInsurers). */
export function updateInsurer(db: Db, id: number, changes: InsurerChanges): void {
  const columns = UPDATABLE.filter((c) => changes[c] !== undefined);
  if (columns.length === 0) return;
  const values = Object.fromEntries(columns.map((c) => [c, changes[c]]));
  db.prepare(`UPDATE insurers SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...values, id });
  insurersGeneration++;
}

/** The insurer whose 8-digit 保険者番号 this is. */
export function findInsurerByNumber(db: Db, insurerNumber: string): Insurer | undefined {
  return cachedStatement<[string], Insurer>(db, `SELECT ${COLUMNS} FROM insurers WHERE insurer_number = ?`).get(insurerNumber);
}

/** Every insurer with its 保険者番号 ('' when none), for `portal insurer list`. */
export function listInsurersWithNumbers(db: Db): (Insurer & { insurer_number: string })[] {
  return cachedStatement<[], Insurer & { insurer_number: string }>(
    db,
    `SELECT ${COLUMNS}, coalesce(insurer_number, '') AS insurer_number FROM insurers ORDER BY code`,
  ).all();
}

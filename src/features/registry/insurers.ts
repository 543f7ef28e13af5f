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

/** The insurer of a single-society deployment; undefined when there are none or several. */
export function soleInsurer(db: Db): Insurer | undefined {
  const two = cachedStatement<[], Insurer>(db, `SELECT ${COLUMNS} FROM insurers LIMIT 2`).all();
  return two.length === 1 ? two[0] : undefined;
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
  return { id, ...insurer };
}

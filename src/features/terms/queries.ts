import type { Db } from '../../db/database.js';

export interface TermsVersionRow {
  id: number;
  insurer_id: number;
  version: number;
  body_markdown: string;
  published_at: number;
}

export interface TermsAcceptanceRow {
  terms_version_id: number;
  accepted_at: number;
}

const VERSION_COLUMNS = 'id, insurer_id, version, body_markdown, published_at';

/** The terms' SQL, prepared once. Acceptances are only ever inserted, never changed. */
export function createTermsQueries(db: Db) {
  const latest = db.prepare<[number], TermsVersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM terms_versions WHERE insurer_id = ? ORDER BY version DESC LIMIT 1`,
  );
  const latestId = db.prepare<[number], number>(
    'SELECT id FROM terms_versions WHERE insurer_id = ? ORDER BY version DESC LIMIT 1',
  );
  latestId.pluck();
  const byId = db.prepare<[number], TermsVersionRow>(`SELECT ${VERSION_COLUMNS} FROM terms_versions WHERE id = ?`);
  const maxVersion = db.prepare<[number], number | null>('SELECT max(version) FROM terms_versions WHERE insurer_id = ?');
  maxVersion.pluck();
  const insertVersion = db.prepare<[number, number, string, number]>(
    'INSERT INTO terms_versions (insurer_id, version, body_markdown, published_at) VALUES (?, ?, ?, ?)',
  );
  const acceptance = db.prepare<[number, number], TermsAcceptanceRow>(
    'SELECT terms_version_id, accepted_at FROM terms_acceptances WHERE account_id = ? AND terms_version_id = ?',
  );
  const insertAcceptance = db.prepare<[number, number, number, string]>(
    // A second submit of the same form (two tabs) keeps the first acceptance.
    `INSERT INTO terms_acceptances (account_id, terms_version_id, accepted_at, client_ip) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id, terms_version_id) DO NOTHING`,
  );

  return {
    latest: (insurerId: number) => latest.get(insurerId),
    latestId: (insurerId: number) => latestId.get(insurerId),
    byId: (id: number) => byId.get(id),
    nextVersionNumber: (insurerId: number) => (maxVersion.get(insurerId) ?? 0) + 1,
    insertVersion: (v: { insurerId: number; version: number; markdown: string; now: number }) =>
      Number(insertVersion.run(v.insurerId, v.version, v.markdown, v.now).lastInsertRowid),
    acceptance: (accountId: number, versionId: number) => acceptance.get(accountId, versionId),
    insertAcceptance: (a: { accountId: number; versionId: number; now: number; clientIp: string }) => {
      insertAcceptance.run(a.accountId, a.versionId, a.now, a.clientIp);
    },
  };
}

export type TermsQueries = ReturnType<typeof createTermsQueries>;

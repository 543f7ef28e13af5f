import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { isoDateJst } from '../../../lib/time.js';
import { listInsurers } from '../insurers.js';
import { acquireImportLock, releaseImportLock } from './lock.js';
import {
  attachStaging, createErrorTable, detachStaging, dropErrorTable, errorWriter, findDuplicateKeys, indexStagedRows,
  listBadRows, type BadRow,
} from './queries.js';
import { applyChecked, applyFirstLoad, type Applied } from './apply.js';
import { CsvFileError } from './csv.js';
import { readCsvRecords, type RegistryEncoding } from './reader.js';
import { headerProblem, RowChecker } from './rows.js';
import { StagingWorker } from './staging.js';

/**
 * `portal import-members`: the society's registry CSV into the members table (docs/registry-import.md). Three phases:
 *  1. read — stream the file, check every row; good rows go to a scratch database (written by
 *     a worker thread), reasons for bad ones to a TEMP table. No write lock, memory flat.
 *  2. check — rows that share a canonical (insurer, 記号, 番号) are bad rows too.
 *  3. apply — only when no row is bad: one IMMEDIATE transaction upserts every staged row,
 *     so a failure part-way changes nothing.
 * For a society's first registry (no member of its insurers yet) phase 3 runs first and the
 * unique key does phase 2's work: fewer rows added than staged means duplicates, and the
 * transaction is rolled back before phase 2 runs to name them.
 */

export type ImportPhase = 'reading' | 'checking' | 'applying';

export interface ImportProgress {
  phase: ImportPhase;
  rows: number;
  bytesRead: number;
}

export interface ImportOptions {
  /** What is being imported (file name), for the lock's message. */
  source: string;
  onProgress?: (progress: ImportProgress) => void;
  /** How many bad rows to return (all are counted). */
  badRowLimit?: number;
}

export type ImportResult =
  | { ok: true; encoding: RegistryEncoding; rows: number; added: number; updated: number; unchanged: number }
  | { ok: false; encoding: RegistryEncoding; rows: number; badRows: BadRow[]; badRowCount: number };

/**
 * SQLite's page cache while applying. Measured on 1,000,000 rows: 4 MiB builds the kana
 * indexes faster than the default 16 MiB, and 64 MiB slower still (the sort stays in the
 * CPU's caches); it also keeps the import's memory low.
 */
const APPLY_CACHE_KIB = 4096;

/** Throws CsvFileError (unreadable file), ImportBusyError (another import running). */
export async function importMembers(
  deps: { db: Db; clock: Clock },
  input: AsyncIterable<Uint8Array>,
  options: ImportOptions,
): Promise<ImportResult> {
  const { db, clock } = deps;
  const lock = acquireImportLock(db, clock, options.source);
  let staging: StagingWorker | undefined;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  try {
    createErrorTable(db);
    staging = new StagingWorker();
    const read = await readFile(db, clock, input, staging, options);
    await staging.finish();
    attachStaging(db, staging.file);
    const progress = (phase: ImportPhase) => options.onProgress?.({ phase, rows: read.rows, bytesRead: read.bytesRead });
    const result = (applied: Applied): ImportResult => ({
      ok: true, encoding: read.encoding, rows: read.rows, ...applied, unchanged: read.rows - applied.added - applied.updated,
    });
    db.pragma(`cache_size = -${APPLY_CACHE_KIB}`);

    // A society's first registry: every row is new, so the unique key itself finds any
    // duplicate (fewer rows added than staged) and the separate check is not needed.
    if (read.goodFile) {
      progress('applying');
      const applied = applyFirstLoad(db, clock.now(), read.rows, read.insurerIds);
      if (applied !== 'not-first-load' && applied !== 'duplicates') return result(applied);
    }

    progress('checking');
    indexStagedRows(db);
    recordDuplicates(db, read.insurerCodes);
    const bad = listBadRows(db, options.badRowLimit ?? 1000);
    if (bad.total > 0) return { ok: false, encoding: read.encoding, rows: read.rows, badRows: bad.rows, badRowCount: bad.total };

    progress('applying');
    return result(applyChecked(db, clock.now(), read.rows));
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    detachStaging(db);
    await staging?.dispose();
    dropErrorTable(db);
    releaseImportLock(db, lock);
  }
}

async function readFile(db: Db, clock: Clock, input: AsyncIterable<Uint8Array>, staging: StagingWorker, options: ImportOptions) {
  const insurers = listInsurers(db);
  const checker = new RowChecker(new Map(insurers.map((i) => [i.code, i.id])), isoDateJst(clock.now()));
  const addError = errorWriter(db);
  let header = false;
  let rows = 0;
  let badRows = 0;
  let bytesRead = 0;
  let lastReport = 0;
  const encoding = await readCsvRecords(input, {
    record(fields, line) {
      if (!header) {
        const problem = headerProblem(fields);
        if (problem) throw new CsvFileError(line, problem);
        header = true;
        return;
      }
      rows++;
      const row = checker.check(fields);
      if (Array.isArray(row)) {
        badRows++;
        addError(line, row.join(' / '));
      } else staging.add(row, line);
    },
    malformed(line, reason) {
      if (!header) throw new CsvFileError(line, reason);
      rows++;
      badRows++;
      addError(line, reason);
    },
    // A chunk's bad rows in one transaction (TEMP table only: the database is not locked).
    chunk(work) {
      db.transaction(work)();
    },
    async afterChunk(bytes) {
      bytesRead = bytes;
      const now = Date.now();
      if (options.onProgress && now - lastReport >= 200) {
        lastReport = now;
        options.onProgress({ phase: 'reading', rows, bytesRead });
      }
      await staging.drain();
    },
  });
  if (!header) throw new CsvFileError(1, 'ファイルが空です（見出し行がありません）');
  return {
    encoding, rows, bytesRead,
    goodFile: badRows === 0,
    insurerIds: checker.insurerIds,
    insurerCodes: new Map(insurers.map((i) => [i.id, i.code])),
  };
}

/** Every row whose canonical card another row of the file also has, naming the other lines. */
function recordDuplicates(db: Db, insurerCodes: Map<number, string>): void {
  const addError = errorWriter(db);
  db.transaction(() => {
    for (const group of findDuplicateKeys(db)) {
      const card = `insurer_code ${insurerCodes.get(group.insurerId)}、記号 ${group.symbol}、番号 ${group.number}`;
      for (const line of group.lines) {
        const others = group.lines.filter((l) => l !== line);
        const named = others.slice(0, 5).join('・') + '行目' + (others.length > 5 ? `ほか${others.length - 5}行` : '');
        addError(line, `${named}と同じ会員です（${card}）`);
      }
    }
  })();
}

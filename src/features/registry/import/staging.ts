import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CREATE_STAGED_TABLE, insertStagedSql, STAGED_ROW_VALUES } from './queries.js';
import type { RegistryRow } from './rows.js';

/**
 * Writes the good rows of an import into a scratch SQLite file from a worker thread, so that
 * SQLite's inserts run on the second core while the main thread parses and checks the CSV
 * (each side is about half the work of reading a file). Rows travel in batches as one string
 * each, values separated by U+001F: checked values never hold control characters, and one
 * string crosses threads far cheaper than thousands.
 */

const SEPARATOR = '\u001f';
/** Rows per message, and per INSERT statement in the worker. */
const BATCH_ROWS = 500;
/** Messages the worker may have queued before the reader waits for it (memory stays flat). */
const MAX_IN_FLIGHT = 4;

export class StagingWorker {
  readonly file: string;
  private readonly dir: string;
  private readonly worker: Worker;
  private values: (string | number)[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private closed: Promise<void>;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-import-'));
    this.file = path.join(this.dir, 'staging.db');
    // The worker runs from its own source text (below): no module loading, so the same code
    // serves the compiled CLI and the TypeScript test runner.
    this.worker = new Worker(`(${stagingThread.toString()})()`, {
      eval: true,
      // It holds a few batches at a time: a small heap keeps the import's peak memory down.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
      workerData: {
        sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.file,
        createSql: CREATE_STAGED_TABLE,
        insertManySql: insertStagedSql(BATCH_ROWS),
        insertOneSql: insertStagedSql(1),
        rowValues: STAGED_ROW_VALUES,
        batchRows: BATCH_ROWS,
      },
    });
    this.closed = new Promise((resolve, reject) => {
      this.worker.on('message', (message: string) => {
        if (message === 'closed') resolve();
        this.inFlight--;
        this.wake?.();
      });
      this.worker.on('error', (e) => {
        this.failure = e;
        this.wake?.();
        reject(e);
      });
    });
    this.closed.catch(() => undefined); // observed by finish()/drain()
  }

  add(row: RegistryRow, line: number): void {
    this.values.push(
      line, row.insurerId, row.symbol, row.number, row.birthDate, row.name, row.nameKana,
      row.kanaKey, row.kanaVariantKey === row.kanaKey ? '' : row.kanaVariantKey, row.email ?? '', row.status,
    );
    if (this.values.length === BATCH_ROWS * STAGED_ROW_VALUES) this.send();
  }

  /** Waits while the worker is behind, so unsent rows never pile up in memory. */
  async drain(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) await new Promise<void>((r) => (this.wake = r));
    if (this.failure) throw this.failure;
  }

  /** Sends what is left and waits until the worker has committed and closed the file. */
  async finish(): Promise<void> {
    if (this.values.length > 0) this.send();
    this.inFlight++;
    this.worker.postMessage(null);
    await this.closed;
    await this.worker.terminate();
  }

  /** Stops the worker (if still running) and deletes the scratch file. */
  async dispose(): Promise<void> {
    await this.worker.terminate();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private send(): void {
    this.inFlight++;
    this.worker.postMessage(this.values.join(SEPARATOR));
    this.values = [];
  }
}

interface StagingThreadData {
  sqlitePath: string;
  file: string;
  createSql: string;
  insertManySql: string;
  insertOneSql: string;
  rowValues: number;
  batchRows: number;
}

/**
 * The worker's whole program. It is sent as source text, so it may use nothing from this
 * module's scope: `require` is the worker's own (eval'd workers are CommonJS).
 */
function stagingThread(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const data = workerData as StagingThreadData;
  const Database = require(data.sqlitePath) as typeof import('better-sqlite3');
  const db = new Database(data.file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -2048'); // rows are appended: only the last pages are ever touched
  db.exec(data.createSql);
  const insertMany = db.prepare(data.insertManySql);
  const insertOne = db.prepare(data.insertOneSql);
  const perBatch = data.rowValues * data.batchRows;
  db.exec('BEGIN');
  parentPort!.on('message', (message: string | null) => {
    if (message === null) {
      db.exec('COMMIT');
      db.close();
      parentPort!.postMessage('closed');
      return;
    }
    const values = message.split('\u001f');
    let i = 0;
    for (; i + perBatch <= values.length; i += perBatch) insertMany.run(values.slice(i, i + perBatch));
    for (; i < values.length; i += data.rowValues) insertOne.run(values.slice(i, i + data.rowValues));
    parentPort!.postMessage('staged');
  });
}

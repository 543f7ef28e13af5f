import fs from 'node:fs';
import path from 'node:path';
import { importMembers, type ImportProgress } from '../../features/registry/import/index.js';
import { ImportBusyError } from '../../features/registry/import/lock.js';
import { CsvFileError } from '../../features/registry/import/csv.js';
import { parseOptions } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = 'usage: portal import-members FILE.csv';
/** Printed bad rows; all of them are counted. */
const SHOWN_BAD_ROWS = 1000;

export const importMembersCommand: Command = {
  async run(args, ctx) {
    const { positionals } = parseOptions(args, {});
    if (positionals.length !== 1) throw new UsageError(USAGE);
    const file = path.resolve(positionals[0]!);
    const size = fileSize(file);
    const started = performance.now();
    const progress = ctx.interactive && process.stderr.isTTY ? new ProgressLine(size, started) : undefined;

    // Opened only once the import holds its lock (a generator runs when first read).
    const input = (async function* () {
      yield* fs.createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;
    })();
    let result;
    try {
      result = await importMembers(ctx, input, {
        source: file,
        badRowLimit: SHOWN_BAD_ROWS,
        onProgress: progress && ((p) => progress.show(p)),
      });
    } catch (e) {
      if (e instanceof CsvFileError || e instanceof ImportBusyError) throw new UsageError(`${path.basename(file)}: ${e.message}; nothing was imported`);
      // Anything else (disk full, a constraint) ended the one transaction: it was rolled back.
      throw new Error(`${e instanceof Error ? e.message : String(e)}; nothing was imported`, { cause: e });
    } finally {
      progress?.clear();
    }

    if (!result.ok) {
      for (const bad of result.badRows) ctx.err(`line ${bad.line}: ${bad.reason}`);
      const hidden = result.badRowCount - result.badRows.length;
      if (hidden > 0) ctx.err(`… and ${hidden.toLocaleString('en')} more bad rows`);
      throw new UsageError(`${path.basename(file)}: ${result.badRowCount.toLocaleString('en')} bad rows of ${result.rows.toLocaleString('en')}; nothing was imported`);
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = result.rows > 0 ? `, ${Math.round(result.rows / seconds).toLocaleString('en')} rows/s` : '';
    ctx.out(
      `${path.basename(file)} (${result.encoding}, ${result.rows.toLocaleString('en')} rows, ${seconds.toFixed(1)} s${rate}): ` +
        `added ${result.added}, updated ${result.updated}, unchanged ${result.unchanged}`,
    );
  },
};

function fileSize(file: string): number {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UsageError(`${file} is not a file`);
    return stat.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

const PHASES: Record<ImportProgress['phase'], string> = {
  reading: 'reading',
  checking: 'checking duplicates',
  applying: 'writing to the database',
};

/** One stderr line rewritten in place with `\r` (terminals only). */
class ProgressLine {
  constructor(
    private readonly totalBytes: number,
    private readonly started: number,
  ) {}

  show(p: ImportProgress): void {
    const seconds = (performance.now() - this.started) / 1000;
    const percent = this.totalBytes > 0 ? Math.floor((p.bytesRead / this.totalBytes) * 100) : 100;
    const rate = seconds > 0 ? Math.round(p.rows / seconds) : 0;
    const text =
      p.phase === 'reading'
        ? `${PHASES.reading} ${percent}%  ${p.rows.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s`
        : `${PHASES[p.phase]} (${p.rows.toLocaleString('en')} rows)…`;
    process.stderr.write(`\r\x1b[2K${text}`);
  }

  clear(): void {
    process.stderr.write('\r\x1b[2K');
  }
}

import type { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import type { Db } from '../../../db/database.js';
import { CSV_BOM, csvCell, jstTimestamp } from '../../audit/csv.js';
import type { SurveyRow } from '../survey-queries.js';
import { eligibilityHint } from './eligibility.js';
import { createExportQueries, type ExportRow } from './export-queries.js';

export type CsvEncoding = 'utf8' | 'sjis';

export const RESULTS_HEADER = [
  'insurer_code', 'symbol', 'number', 'dependent_no', 'name_kana', 'birth_date', 'relationship', 'status', 'submitted_at', 'late',
  'continuation', 'residence', 'lives_in_japan', 'occupation', 'income_total', 'hint', 'decision', 'removal_date', 'decision_reason',
  'decided_by', 'decided_at',
];
export const NONRESPONDERS_HEADER = ['insurer_code', 'symbol', 'number', 'name', 'status', 'has_address'];

const line = (cells: (string | number | null | undefined)[]) => cells.map(csvCell).join(',') + '\r\n';

/**
 * Writes chunks in the asked encoding (UTF-8 with a BOM for Excel, or Shift_JIS as CP932 for
 * core systems), waiting for 'drain' whenever the destination is full: memory stays flat
 * however slow the reader is.
 */
function encodedWriter(out: Writable, encoding: CsvEncoding) {
  let first = true;
  return async (text: string) => {
    const chunk = encoding === 'sjis' ? iconv.encode(text, 'cp932') : Buffer.from(first ? CSV_BOM + text : text, 'utf8');
    first = false;
    if (!out.write(chunk)) await drainedOrClosed(out);
    if (out.destroyed) throw new Error('export destination closed');
  };
}

/** Waits until the destination takes more, or is gone (a client that went away); leaves no listener behind. */
function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

function resultLine(insurerCode: string, opensOn: string, r: ExportRow): string {
  const answered = r.continuation !== null;
  const hint = answered ? eligibilityHint(r, { dependent_id: 0, ...r, removal_date: null, removal_reason: null, abroad_reason: null, complete: r.complete ?? 0 }, opensOn) : undefined;
  return line([
    insurerCode, r.symbol, r.number, r.dependent_no, r.name_kana, r.birth_date, r.relationship, r.status,
    r.submitted_at === null ? '' : jstTimestamp(r.submitted_at), r.late, r.continuation, r.residence, r.lives_in_japan, r.occupation,
    hint?.incomeTotal ?? '', hint?.label ?? '', r.decision, r.removal_date, r.decision_reason, r.decided_by,
    r.decided_at === null ? '' : jstTimestamp(r.decided_at),
  ]);
}

/** The results and non-responders CSVs of one survey, streamed batch by batch; each returns the rows written. */
export function createSurveyExport(deps: { db: Db }) {
  const q = createExportQueries(deps.db);
  const insurerCode = deps.db.prepare<[number], string>('SELECT code FROM insurers WHERE id = ?').pluck();

  return {
    async results(survey: SurveyRow, out: Writable, encoding: CsvEncoding): Promise<number> {
      const write = encodedWriter(out, encoding);
      const code = insurerCode.get(survey.insurer_id) ?? '';
      await write(line(RESULTS_HEADER));
      let after = 0;
      let n = 0;
      for (;;) {
        const rows = q.results(survey.id, after);
        if (rows.length === 0) return n;
        let text = '';
        for (const r of rows) text += resultLine(code, survey.opens_on, r);
        n += rows.length;
        after = rows[rows.length - 1]!.case_id;
        await write(text);
      }
    },
    async nonresponders(survey: SurveyRow, out: Writable, encoding: CsvEncoding): Promise<number> {
      const write = encodedWriter(out, encoding);
      const code = insurerCode.get(survey.insurer_id) ?? '';
      await write(line(NONRESPONDERS_HEADER));
      let after = 0;
      let n = 0;
      for (;;) {
        const rows = q.nonresponders(survey.id, after);
        if (rows.length === 0) return n;
        await write(rows.map((r) => line([code, r.symbol, r.number, r.name, r.status, r.has_address])).join(''));
        n += rows.length;
        after = rows[rows.length - 1]!.id;
      }
    },
  };
}

export type SurveyExport = ReturnType<typeof createSurveyExport>;

import fs from 'node:fs';
import { inTransaction, type Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { CsvFileError } from '../registry/import/csv.js';
import { readCsvRecords, type RegistryEncoding } from '../registry/import/reader.js';
import { createCaseQueries } from './case-queries.js';
import { todayJst } from './dates.js';
import { createNotificationService, type NotificationCounts } from './notifications.js';
import { createSurveyQueries } from './survey-queries.js';
import { checkTargetRow, targetHeaderProblem, type TargetRow } from './target-rows.js';
import { createTargetQueries } from './target-queries.js';

export interface KeptDependent {
  symbol: string;
  number: string;
  dependentNo: string;
  name: string;
}

export type ImportTargetsResult =
  | { ok: false; badRows: string[] }
  | {
      ok: true;
      encoding: RegistryEncoding;
      dependents: number;
      cases: number;
      removed: number;
      /** Not in the file any more but kept: the member already answered or uploaded for them. */
      kept: KeptDependent[];
      invitations: NotificationCounts | undefined;
    };

/**
 * `portal survey import-targets`: the society's selection of dependents for one survey. Same file
 * rules as the member registry (the registry's reader: UTF-8 with or without BOM or Shift_JIS,
 * CRLF or LF, quotes). Every bad row is reported as `line N: reason` and then nothing is
 * imported. The file is the survey's whole target list: a re-import upserts on
 * (member, dependent_no) and removes dependents no longer listed, except those with answers.
 */
export function createTargetImportService(deps: { db: Db; clock: Clock; baseUrl: string }) {
  const { db, clock } = deps;
  const q = createTargetQueries(db);
  const cases = createCaseQueries(db);
  const surveys = createSurveyQueries(db);
  const notifications = createNotificationService(deps);

  async function read(file: string, insurerId: number) {
    const today = todayJst(clock.now());
    const badRows: string[] = [];
    const rows: (TargetRow & { memberId: number })[] = [];
    const seen = new Map<string, number>();
    let header = true;
    const encoding = await readCsvRecords(fs.createReadStream(file), {
      record(fields, line) {
        if (header) {
          header = false;
          const problem = targetHeaderProblem(fields);
          if (problem) badRows.push(`line ${line}: ${problem}`);
          return;
        }
        const row = checkTargetRow(fields, today);
        if (!Array.isArray(row)) {
          const memberId = q.memberByCard(insurerId, row.symbol, row.number);
          const key = `${memberId}:${row.dependentNo}`;
          if (memberId === undefined) {
            badRows.push(`line ${line}: 記号「${row.symbol}」番号「${row.number}」の加入者は、この調査の保険者に登録されていません`);
          } else if (seen.has(key)) {
            badRows.push(`line ${line}: 同じ被扶養者（記号・番号・dependent_no）が line ${seen.get(key)} にもあります`);
          } else {
            seen.set(key, line);
            rows.push({ ...row, memberId });
          }
          return;
        }
        for (const reason of row) badRows.push(`line ${line}: ${reason}`);
      },
      malformed(line, reason) {
        badRows.push(`line ${line}: ${reason}`);
      },
    });
    if (header) badRows.push('line 1: ファイルが空です');
    return { encoding, rows, badRows };
  }

  return {
    async importTargets(file: string, surveyId: number): Promise<ImportTargetsResult> {
      const survey = surveys.byId(surveyId);
      if (!survey) throw new Error(`no survey ${surveyId}`);
      let read_;
      try {
        read_ = await read(file, survey.insurer_id);
      } catch (e) {
        if (e instanceof CsvFileError) return { ok: false, badRows: [e.message] };
        throw e;
      }
      const { encoding, rows, badRows } = read_;
      if (badRows.length > 0) return { ok: false, badRows };

      const applied = inTransaction(db, () => {
        const now = clock.now();
        const before = new Set(q.existingIds(survey.id));
        const caseIds = new Set<number>();
        for (const r of rows) {
          const c = cases.ensureCase(survey.id, r.memberId, now);
          caseIds.add(c.id);
          q.upsertDependent({ caseId: c.id, no: r.dependentNo, name: r.name, kana: r.nameKana, birth: r.birthDate, rel: r.relationship, cert: r.certifiedOn, now });
          before.delete(q.dependentId(c.id, r.dependentNo)!);
        }
        const kept: KeptDependent[] = [];
        let removed = 0;
        for (const id of before) {
          const answered = q.withAnswers(id);
          if (answered) kept.push({ symbol: answered.symbol, number: answered.number, dependentNo: answered.dependent_no, name: answered.name });
          else {
            q.deleteDependent(id);
            removed++;
          }
        }
        q.deleteEmptyCases(survey.id);
        return { kept, removed, cases: caseIds.size };
      });
      const invitations = notifications.sendInvitations(survey);
      return { ok: true, encoding, dependents: rows.length, ...applied, invitations: invitations.invitation + invitations.withoutAddress > 0 ? invitations : undefined };
    },
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { addDays } from '../../src/features/survey/dates.js';
import { isoDateJst } from '../../src/lib/time.js';
import { TestAgent } from '../support/agent.js';
import { type TestContext, cli } from '../support/app.js';
import { type TestAccount, acceptLatestTerms, makeAccount, makeInsurer, publishTerms } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

export { cli };

export const TARGET_HEADER = 'symbol,number,dependent_no,name,name_kana,birth_date,relationship,certified_on';

export function today(ctx: TestContext): string {
  return isoDateJst(ctx.clock.now());
}

/** Writes a CSV file for import-targets; returns its path. */
export function csvFile(content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'survey-csv-'));
  const file = path.join(dir, 'targets.csv');
  fs.writeFileSync(file, content);
  return file;
}

/** `portal survey create` around today (opened 10 days ago, closing in `closesIn` days); returns the id. */
export async function createSurvey(ctx: TestContext, insurer: Insurer, closesIn = 20, opensIn = -10): Promise<number> {
  const t = today(ctx);
  const r = await cli(ctx, ['survey', 'create', '--insurer', insurer.code, '--title', '2026年度 被扶養者資格調査', '--opens', addDays(t, opensIn), '--closes', addDays(t, closesIn)]);
  expect(r.code, r.err).toBe(0);
  return Number(r.out.trim());
}

export async function importTargets(ctx: TestContext, surveyId: number, rows: string[]) {
  return cli(ctx, ['survey', 'import-targets', csvFile([TARGET_HEADER, ...rows].join('\n') + '\n'), '--survey', String(surveyId)]);
}

export interface SurveyMemberSetup {
  insurer: Insurer;
  account: TestAccount;
  surveyId: number;
  agent: TestAgent;
  /** Dependent ids in dependent_no order. */
  dependents: number[];
}

/**
 * A signed-in member with terms accepted, in an open survey with a spouse (no income questions
 * needing documents once answered with no income) and a 20-year-old student child.
 */
export async function memberWithSurvey(ctx: TestContext, o: { insurer?: Insurer; surveyId?: number; rows?: (m: TestAccount) => string[] } = {}): Promise<SurveyMemberSetup> {
  const insurer = o.insurer ?? makeInsurer(ctx.db, ctx.clock);
  if (!o.insurer) publishTerms(ctx.db, ctx.clock, insurer);
  const account = await makeAccount(ctx.db, ctx.clock, { insurer });
  acceptLatestTerms(ctx.db, ctx.clock, account);
  const surveyId = o.surveyId ?? (await createSurvey(ctx, insurer));
  const m = account.member;
  const rows = o.rows?.(account) ?? [
    `${m.symbol},${m.number},1,健保 一郎,ケンポ イチロウ,1983-06-10,配偶者,2010-04-01`,
    `${m.symbol},${m.number},2,健保 さくら,ケンポ サクラ,2005-09-01,子,`,
  ];
  const imported = await importTargets(ctx, surveyId, rows);
  expect(imported.code, imported.err).toBe(0);
  const agent = new TestAgent(ctx.app);
  const login = await logIn(agent, account.loginId, account.password);
  expect(login.status).toBe(303);
  const dependents = ctx.db
    .prepare('SELECT d.id FROM survey_dependents d JOIN survey_cases c ON c.id = d.case_id WHERE c.member_id = ? AND c.survey_id = ? ORDER BY d.dependent_no + 0')
    .pluck()
    .all(m.id, surveyId) as number[];
  return { insurer, account, surveyId, agent, dependents };
}

/** Answers that need no document for a spouse: together, in Japan, no income. */
export const SPOUSE_NO_INCOME = {
  continuation: 'continue', residence: 'together', livesInJapan: 'yes', occupation: 'none',
  incomeSalary: '0', incomePension: '0', incomeBusiness: '0', incomeOther: '0', disabled: 'no',
};

/** A student without income: needs only the 在学証明書 (18 or older). */
export const STUDENT_NO_INCOME = { ...SPOUSE_NO_INCOME, occupation: 'student' };

export function caseRow(ctx: TestContext, memberId: number, surveyId: number) {
  return ctx.db
    .prepare('SELECT id, status, receipt_number, late, submitted_at, attested_at, rules_effective FROM survey_cases WHERE member_id = ? AND survey_id = ?')
    .get(memberId, surveyId) as { id: number; status: string; receipt_number: string | null; late: number; submitted_at: number | null; attested_at: number | null; rules_effective: string | null };
}

export function answersRow(ctx: TestContext, dependentId: number) {
  return ctx.db.prepare('SELECT * FROM survey_answers WHERE dependent_id = ?').get(dependentId) as Record<string, unknown> | undefined;
}

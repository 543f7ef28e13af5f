import { expect } from 'vitest';
import type { TestAgent } from '../support/agent.js';
import { cli, type TestContext } from '../support/app.js';
import { firstSignIn, type SignedIn } from '../support/staff-flows.js';
import { caseRow, memberWithSurvey, SPOUSE_NO_INCOME, STUDENT_NO_INCOME, type SurveyMemberSetup } from './helpers.js';
import { pdf, phoneJpeg, upload } from './upload-helpers.js';

/** A staff member of any role (reviewer included) added by the CLI and signed in for the first time. */
export async function newStaff(ctx: TestContext, login: string, role: 'operator' | 'reviewer' | 'supervisor', insurers: string[] = []): Promise<SignedIn> {
  const r = await cli(ctx, ['staff', 'add', '--login', login, '--role', role, ...insurers.flatMap((c) => ['--insurer', c])]);
  expect(r.code, r.err).toBe(0);
  const m = /initial password[^:]*: (\S+)/.exec(r.out);
  if (!m) throw new Error(`no password in: ${r.out}`);
  return firstSignIn(ctx, login, m[1]!);
}

export interface SubmittedCase extends SurveyMemberSetup {
  caseId: number;
  /** The spouse's income certificate (a PDF) and the child's enrolment certificate (a photo). */
  documents: { income: number; enrolment: number };
}

/** A member of a fresh insurer whose case is answered, documented and submitted. */
export async function submittedCase(ctx: TestContext, o: Parameters<typeof memberWithSurvey>[1] = {}): Promise<SubmittedCase> {
  const s = await memberWithSurvey(ctx, o);
  const [spouse, child] = s.dependents as [number, number];
  await s.agent.get(`/portal/survey/dependents/${spouse}`);
  expect((await s.agent.post(`/portal/survey/dependents/${spouse}`, SPOUSE_NO_INCOME)).status).toBe(303);
  expect((await s.agent.post(`/portal/survey/dependents/${child}`, STUDENT_NO_INCOME)).status).toBe(303);
  await s.agent.get('/portal/survey/documents');
  expect((await upload(s.agent, { slot: `${spouse}:income_certificate`, files: [{ content: pdf('income'), name: 'income.pdf' }] })).status).toBe(303);
  await s.agent.get('/portal/survey/documents');
  expect((await upload(s.agent, { slot: `${child}:enrolment_certificate`, files: [{ content: await phoneJpeg(), name: 'school.jpg' }] })).status).toBe(303);
  await s.agent.get('/portal/survey/confirm');
  expect((await s.agent.post('/portal/survey/submit', { attest: '1' })).status).toBe(303);
  const kase = caseRow(ctx, s.account.member.id, s.surveyId);
  const docs = ctx.db.prepare('SELECT id, kind FROM survey_documents WHERE case_id = ? ORDER BY id').all(kase.id) as { id: number; kind: string }[];
  return {
    ...s,
    caseId: kase.id,
    documents: { income: docs.find((d) => d.kind === 'income_certificate')!.id, enrolment: docs.find((d) => d.kind === 'enrolment_certificate')!.id },
  };
}

/** Opens the case page (which carries the forms' CSRF token) and posts one of its forms. */
export async function onCase(agent: TestAgent, caseId: number, action: string, fields: Record<string, string> = {}) {
  await agent.get(`/staff/survey/cases/${caseId}`);
  return agent.post(action.startsWith('/') ? action : `/staff/survey/cases/${caseId}/${action}`, fields);
}

export function decisionRow(ctx: TestContext, dependentId: number) {
  return ctx.db.prepare('SELECT decision, removal_date, reason, decided_by_staff_id FROM survey_decisions WHERE dependent_id = ?').get(dependentId) as
    { decision: string; removal_date: string | null; reason: string | null; decided_by_staff_id: number } | undefined;
}

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '../../src/features/registry/members.js';
import { TestAgent } from '../support/agent.js';
import { createTestContext, listen, type Listening, type TestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { expectSafeResponse, fuzzBudget, fuzzSeed, MEMBER_SHARE, pathSegment, splitBudget } from '../support/fuzz/bodies.js';
import { type FormTarget, type FuzzState, FuzzStats, fuzzTests, type QueryTarget, sentEveryPlannedRequestTest, watchUnhandledRejections } from '../support/fuzz/runner.js';
import { sessionMaker, type SessionMaker } from '../support/sessions.js';
import { createSurvey, importTargets } from '../survey/helpers.js';

/*
 * Every form of the call-center console gets hostile posts with a valid CSRF
 * token: the sign-in steps in each of their states, the two searches, the
 * actions on a member, the team page, and the audit log's filters.
 */

let ctx: TestContext;
let web: Listening;
let member: Member;
let supervisor: TestAgent;
let codeStaff: { login: string; id: number };
let sessions: SessionMaker;
/** The member's survey case, put in review, and its one dependent: the review's forms act on them. */
let review: { caseId: number; dependentId: number; documentId: number };
const stats = new FuzzStats();
const rejections = watchUnhandledRejections();

beforeAll(async () => {
  ctx = await createTestContext({ LOG_LEVEL: 'warn' });
  web = await listen(ctx.app);
  const insurer = makeInsurer(ctx.db, ctx.clock, { code: 'fuzzkenpo' });
  member = makeMember(ctx.db, ctx.clock, insurer);
  makeAccountRow(ctx.db, { memberId: member.id, loginId: 'fuzz-member', email: 'fuzz-member@example.jp', at: ctx.clock.now() });
  sessions = sessionMaker(ctx, web.server, insurer);
  supervisor = (await sessions.enrolledStaff('fuzz-sv', 'supervisor')).agent;
  codeStaff = await sessions.enrolledStaff('fuzz-code', 'operator');
  const surveyId = await createSurvey(ctx, insurer);
  const imported = await importTargets(ctx, surveyId, [`${member.symbol},${member.number},1,健保 一郎,ケンポ イチロウ,1983-06-10,配偶者,`]);
  expect(imported.code, imported.err).toBe(0);
  const caseId = ctx.db.prepare('SELECT id FROM survey_cases WHERE member_id = ?').pluck().get(member.id) as number;
  ctx.db.prepare(`UPDATE survey_cases SET status = 'in_review', submitted_at = ?, first_submitted_at = ? WHERE id = ?`).run(ctx.clock.now(), ctx.clock.now(), caseId);
  const dependentId = ctx.db.prepare('SELECT id FROM survey_dependents WHERE case_id = ?').pluck().get(caseId) as number;
  const documentId = Number(
    ctx.db.prepare(`INSERT INTO survey_documents (case_id, dependent_id, kind, media_type, size, sha256, storage_key, state, uploaded_at)
      VALUES (?, ?, 'income_certificate', 'application/pdf', 10, '00', 'fuzzreviewdocumentkey', 'received', ?)`).run(caseId, dependentId, ctx.clock.now()).lastInsertRowid,
  );
  review = { caseId, dependentId, documentId };
}, 60_000);
afterAll(async () => {
  rejections.stop();
  await web.close();
  await ctx.close();
});

async function anonymous(path: string): Promise<FuzzState> {
  return { agent: await sessions.anonymous('/staff/login'), path };
}
const waitingForCode = async (): Promise<FuzzState> => ({ agent: (await sessions.staffWaitingForCode(codeStaff)).agent, path: '/staff/login/code' });
const choosingPassword = async (): Promise<FuzzState> => ({ agent: (await sessions.staffChoosingPassword()).agent, path: '/staff/login/password' });
const enrolling = async (): Promise<FuzzState> => ({ agent: (await sessions.staffEnrolling()).agent, path: '/staff/login/enrol' });

async function asSupervisor(page: string, path: string): Promise<FuzzState> {
  await supervisor.get(page);
  return { agent: supervisor, path };
}

const location = (res: { headers: Record<string, unknown> }) => String(res.headers.location ?? '');
const signInEnded = (res: { status: number; headers: Record<string, unknown> }) =>
  location(res).startsWith('/staff/login') || location(res) === '/staff/' || res.status === 403;

const SEARCH_KANA = ['nameKana', 'birthYear', 'birthMonth', 'birthDay'];

const forms: FormTarget[] = [
  // Every well-formed try spends an argon2 verification (there is no per-address throttle): few runs.
  { name: 'POST /staff/login', weight: 1.5, fields: ['loginId', 'password'], setup: () => anonymous('/staff/login') },
  { name: 'POST /staff/login/code', weight: 6, fields: ['code'], setup: waitingForCode, lost: signInEnded, maxSetups: 6 },
  { name: 'POST /staff/login/password', weight: 5, fields: ['newPassword', 'newPasswordConfirm'], setup: choosingPassword, lost: signInEnded, maxSetups: 3 },
  { name: 'POST /staff/login/enrol', weight: 5, fields: ['code'], setup: enrolling, lost: signInEnded, maxSetups: 4 },
  { name: 'POST /staff/logout', weight: 2, fields: [], setup: () => anonymous('/staff/logout'), lost: () => true, maxSetups: Infinity },
  { name: 'POST /staff/search/card', weight: 15, fields: ['insurerCode', 'symbol', 'number'], setup: () => asSupervisor('/staff/', '/staff/search/card') },
  { name: 'POST /staff/search/kana', weight: 15, fields: SEARCH_KANA, setup: () => asSupervisor('/staff/', '/staff/search/kana') },
  {
    name: 'POST /staff/members/<id>/userid-reminder',
    weight: 8,
    fields: ['reason'],
    setup: () => asSupervisor(`/staff/members/${member.id}`, `/staff/members/${member.id}/userid-reminder`),
  },
  { name: 'POST /staff/members/<id>/unlock', weight: 6, fields: ['reason'], setup: () => asSupervisor(`/staff/members/${member.id}`, `/staff/members/${member.id}/unlock`) },
  { name: 'POST /staff/members/<id>/close', weight: 6, fields: ['reason'], setup: () => asSupervisor(`/staff/members/${member.id}`, `/staff/members/${member.id}/close`) },
  { name: 'POST /staff/team/<id>/unlock', weight: 6, fields: ['reason'], setup: () => asSupervisor('/staff/team', `/staff/team/${codeStaff.id}/unlock`) },
  {
    name: 'POST /staff/survey/cases/<id>/dependents/<id>/decision',
    weight: 6,
    fields: ['decision', 'removalDate', 'reason', 'seen'],
    setup: () => asSupervisor(`/staff/survey/cases/${review.caseId}`, `/staff/survey/cases/${review.caseId}/dependents/${review.dependentId}/decision`),
  },
  {
    name: 'POST /staff/survey/documents/<id>/reject',
    weight: 4,
    fields: ['reason'],
    setup: () => asSupervisor(`/staff/survey/cases/${review.caseId}`, `/staff/survey/documents/${review.documentId}/reject`),
  },
  {
    name: 'POST /staff/survey/cases/<id>/request-documents',
    weight: 4,
    fields: ['message', 'dueDate'],
    setup: () => asSupervisor(`/staff/survey/cases/${review.caseId}`, `/staff/survey/cases/${review.caseId}/request-documents`),
  },
  // Last: a return that parses moves the case out of review, and the forms after it are refused (still safely).
  { name: 'POST /staff/survey/cases/<id>/return', weight: 3, fields: ['message'], setup: () => asSupervisor(`/staff/survey/cases/${review.caseId}`, `/staff/survey/cases/${review.caseId}/return`) },
];

const queries: QueryTarget[] = [
  { name: 'GET /staff/audit', weight: 6, params: ['staff', 'memberId', 'from', 'to', 'page'], setup: () => asSupervisor('/staff/', '/staff/audit') },
  { name: 'GET /staff/audit/csv', weight: 2, params: ['staff', 'memberId', 'from', 'to'], setup: () => asSupervisor('/staff/', '/staff/audit/csv') },
  { name: 'GET /staff/login?out', weight: 1, params: ['out'], setup: () => anonymous('/staff/login') },
  { name: 'GET /staff/survey', weight: 4, params: ['survey', 'status', 'late', 'symbol', 'number', 'after'], setup: () => asSupervisor('/staff/', '/staff/survey') },
  { name: 'GET /staff/survey/<id>/export.csv', weight: 1, params: ['encoding'], setup: () => asSupervisor('/staff/', '/staff/survey/1/export.csv') },
];

/** Hostile member and staff ids in the path of the actions. */
const PATH_WEIGHT = 3;

const total = fuzzBudget() - Math.round(fuzzBudget() * MEMBER_SHARE);
const runs = splitBudget(total, [...forms, ...queries, { weight: PATH_WEIGHT }]);

describe('fuzzing every staff form with hostile values', () => {
  fuzzTests(forms, queries, runs, stats);

  const pathRuns = runs.at(-1)!;
  it(`the member and staff pages answer ${pathRuns} hostile ids in their paths with 4xx, never 5xx`, async () => {
    const { agent } = await asSupervisor('/staff/', '/staff/');
    const actions = ['userid-reminder', 'unlock', 'close'];
    await fc.assert(
      fc.asyncProperty(pathSegment, fc.constantFrom(...actions), fc.boolean(), async (id, action, get) => {
        const res = get
          ? await agent.http.get(`/staff/members/${id}`)
          : await agent.http.post(`/staff/${action === 'close' ? 'members' : 'team'}/${id}/${action === 'close' ? 'close' : 'unlock'}`).type('form').send({ _csrf: agent.csrfToken(), reason: '確認のため' });
        stats.count(res.status);
        expectSafeResponse(res, { values: [decodeURIComponentSafe(id)] }, `hostile id ${id}`);
      }),
      { numRuns: pathRuns, seed: fuzzSeed(), endOnFailure: true },
    );
  }, 120_000);

  sentEveryPlannedRequestTest('staff', { stats, runs, rejections, logs: () => ctx.logs });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { addDays } from '../../src/features/survey/dates.js';
import { DAY } from '../../src/lib/clock.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { createSurvey, importTargets, today } from './helpers.js';
import { newStaff } from './review-helpers.js';

let ctx: TestContext;
let insurer: Insurer;
let surveyId: number;
let reviewer: Awaited<ReturnType<typeof newStaff>>;
const members: { id: number; symbol: string; number: string }[] = [];

/**
 * 60 members with a case; 55 of them submitted, one a day apart in reverse order of their
 * card number (so oldest-first is not id order), the last 5 of those after the deadline.
 * The submissions are written directly: this file is about the queue, the submit flow has its own.
 */
beforeAll(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock);
  surveyId = await createSurvey(ctx, insurer, 20, -40);
  for (let i = 0; i < 60; i++) members.push(makeMember(ctx.db, ctx.clock, insurer, { symbol: '700', number: String(1000 + i) }));
  const r = await importTargets(ctx, surveyId, members.map((m) => `${m.symbol},${m.number},1,健保 花子,ケンポ ハナコ,1990-01-01,配偶者,`));
  expect(r.code, r.err).toBe(0);
  const closes = addDays(today(ctx), 20);
  const start = ctx.clock.now() - 35 * DAY;
  const submit = ctx.db.prepare(`UPDATE survey_cases SET status = 'submitted', submitted_at = @at, first_submitted_at = @at, late = @late, receipt_number = @receipt WHERE member_id = @member AND survey_id = @survey`);
  for (let i = 0; i < 55; i++) {
    const at = start + (54 - i) * DAY;
    submit.run({ at, late: i < 5 ? 1 : 0, receipt: `${surveyId}-${String(i).padStart(6, '0')}`, member: members[i]!.id, survey: surveyId });
  }
  expect(closes > today(ctx)).toBe(true);
  reviewer = await newStaff(ctx, 'rev-queue', 'reviewer', [insurer.code]);
});
afterAll(async () => {
  await ctx.close();
});

const receipts = (html: string) => [...html.matchAll(/\/staff\/survey\/cases\/\d+">([^<]+)</g)].map((m) => m[1]!);

describe('the review queue', () => {
  it('shows counts by status, the share submitted, late submissions, and a chart with its table', async () => {
    const page = await reviewer.agent.get(`/staff/survey?survey=${surveyId}`);
    const text = visibleText(page.text);
    expect(text).toMatch(/対象 60件・提出 55件（ ?91.7% ?）・期限後の提出 5件/);
    expect(text).toContain('未着手 入力中 提出済み 審査中 追加書類依頼 差し戻し 審査完了 5 0 55 0 0 0 0');
    expect((page.text.match(/<rect /g) ?? []).length).toBe(55);
    expect(page.text).toContain('締切');
    expect((page.text.match(/<tr><td>\d{4}-\d\d-\d\d/g) ?? []).length).toBeGreaterThanOrEqual(55);
  });

  it('lists the oldest submission first, 50 a page, and the next page continues where the first ended', async () => {
    const first = await reviewer.agent.get(`/staff/survey?survey=${surveyId}`);
    const page1 = receipts(first.text);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toBe(`${surveyId}-000054`);
    expect(page1[49]).toBe(`${surveyId}-000005`);
    const next = /href="(\/staff\/survey\?[^"]*after=[^"]+)"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await reviewer.agent.get(next);
    expect(receipts(second.text)).toEqual([4, 3, 2, 1, 0].map((i) => `${surveyId}-${String(i).padStart(6, '0')}`));
    expect(second.text).not.toContain('after=');
  });

  it('filters by late submissions, by status and by 記号・番号 (full-width digits too)', async () => {
    expect(receipts((await reviewer.agent.get(`/staff/survey?survey=${surveyId}&late=1`)).text)).toHaveLength(5);
    expect(receipts((await reviewer.agent.get(`/staff/survey?survey=${surveyId}&status=completed`)).text)).toEqual([]);
    const byCard = await reviewer.agent.get(`/staff/survey?survey=${surveyId}&symbol=700&number=${encodeURIComponent('１００７')}`);
    expect(receipts(byCard.text)).toEqual([`${surveyId}-000007`]);
    // A status that is not one of the queue's falls back to 提出済み.
    expect(receipts((await reviewer.agent.get(`/staff/survey?survey=${surveyId}&status=nope`)).text)).toHaveLength(50);
  });
});

import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/lib/clock.js';
import { addDays } from '../../src/features/survey/dates.js';
import { createNotificationService } from '../../src/features/survey/notifications.js';
import { cli, createSurvey, csvFile, importTargets, memberWithSurvey, SPOUSE_NO_INCOME, TARGET_HEADER, today } from './helpers.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeAccount, makeInsurer, makeMember } from '../support/factories.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const count = (table: string, where = '1 = 1', ...params: unknown[]) =>
  ctx.db.prepare(`SELECT count(*) FROM ${table} WHERE ${where}`).pluck().get(...params) as number;

describe('portal survey create and list', () => {
  it('creates a survey, prints its id, and refuses one that overlaps another of the same insurer', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const id = await createSurvey(ctx, insurer);
    const t = today(ctx);
    const clash = await cli(ctx, ['survey', 'create', '--insurer', insurer.code, '--title', 'x', '--opens', addDays(t, 20), '--closes', addDays(t, 40)]);
    expect(clash.code).toBe(1);
    expect(clash.err).toContain(`overlaps survey ${id}`);
    const bad = await cli(ctx, ['survey', 'create', '--insurer', insurer.code, '--title', 'x', '--opens', '2027-02-30', '--closes', '2027-03-01']);
    expect(bad.err).toContain('is not a date');
    const list = await cli(ctx, ['survey', 'list', '--insurer', insurer.code]);
    expect(list.out).toContain(`${id}\t${insurer.code}\t2026年度 被扶養者資格調査`);
    expect(list.out).toContain('not_started 0');
  });
});

describe('portal survey import-targets', () => {
  it('lists every bad row as line N: reason and imports nothing', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const m = makeMember(ctx.db, ctx.clock, insurer);
    const surveyId = await createSurvey(ctx, insurer);
    const r = await importTargets(ctx, surveyId, [
      `${m.symbol},${m.number},1,健保 一郎,ケンポ イチロウ,1983-06-10,配偶者,`,
      `999,999,1,誰か,ダレカ,1990-01-01,子,`,
      `${m.symbol},${m.number},1,健保 一郎,ケンポ イチロウ,1983-06-10,配偶者,`,
      `${m.symbol},${m.number},2,健保 二郎,ケンポ ジロウ,1983-02-30,子,`,
      `${m.symbol},${m.number},3,健保 三郎,ケンポ サブロウ,2001-01-01,いとこ,`,
      `${m.symbol},${m.number},4,健保 四郎,健保四郎,2001-01-01,子,`,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('line 3: 記号「999」番号「999」の加入者は、この調査の保険者に登録されていません');
    expect(r.err).toContain('line 4: 同じ被扶養者（記号・番号・dependent_no）が line 2 にもあります');
    expect(r.err).toContain('line 5: birth_date（生年月日）「1983-02-30」');
    expect(r.err).toContain('line 6: relationship（続柄）「いとこ」');
    expect(r.err).toContain('line 7: name_kana（氏名カナ）「健保四郎」はカナで書いてください');
    expect(r.err).toContain('5 bad row(s); nothing imported');
    expect(count('survey_cases', 'survey_id = ?', surveyId)).toBe(0);
    
  });

  it('reads Shift_JIS with CRLF and quotes, and mails the invitation into an open survey', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const m = makeMember(ctx.db, ctx.clock, insurer, { email: 'registry@example.jp' });
    const surveyId = await createSurvey(ctx, insurer);
    const text = [TARGET_HEADER, `"${m.symbol}",${m.number},01,"健保, 一郎",ケンポ イチロウ,1983/6/10,配偶者,2010-04-01`].join('\r\n') + '\r\n';
    const r = await cli(ctx, ['survey', 'import-targets', csvFile(iconv.encode(text, 'cp932')), '--survey', String(surveyId)]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('imported 1 dependent(s) of 1 member(s)');
    expect(r.out).toContain('Shift_JIS');
    expect(r.out).toContain('invitations: 1 mailed');
    const d = ctx.db.prepare('SELECT dependent_no, name, birth_date, certified_on FROM survey_dependents ORDER BY id DESC LIMIT 1').get();
    expect(d).toEqual({ dependent_no: '1', name: '健保, 一郎', birth_date: '1983-06-10', certified_on: '2010-04-01' });
    await ctx.deliverMail();
    const mail = ctx.smtp.mails.find((x) => x.to === 'registry@example.jp');
    expect(mail?.subject).toContain('被扶養者資格調査のお願い');
    expect(mail?.text).toContain(`${m.name} 様`);
  });

  it('upserts on (member, dependent_no) and keeps a dependent with answers that the new file leaves out', async () => {
    const s = await memberWithSurvey(ctx);
    const [spouse] = s.dependents as [number, number];
    await s.agent.get(`/portal/survey/dependents/${spouse}`);
    await s.agent.post(`/portal/survey/dependents/${spouse}`, SPOUSE_NO_INCOME);
    const m = s.account.member;
    // The spouse (answered) and the child (not answered) are left out; a renamed child 3 comes in.
    const r = await importTargets(ctx, s.surveyId, [`${m.symbol},${m.number},3,健保 はる,ケンポ ハル,2010-01-01,子,`]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('removed 1');
    expect(r.out).toContain(`kept ${m.symbol}-${m.number} dependent_no 1 健保 一郎`);
    const names = ctx.db.prepare('SELECT d.dependent_no FROM survey_dependents d JOIN survey_cases c ON c.id = d.case_id WHERE c.member_id = ? ORDER BY 1').pluck().all(m.id);
    expect(names).toEqual(['1', '3']);
    // Imported again with a new name for 3: updated, not duplicated.
    await importTargets(ctx, s.surveyId, [`${m.symbol},${m.number},3,健保 春,ケンポ ハル,2010-01-01,子,`]);
    expect(ctx.db.prepare(`SELECT name FROM survey_dependents d JOIN survey_cases c ON c.id = d.case_id WHERE c.member_id = ? AND dependent_no = '3'`).all(m.id)).toEqual([{ name: '健保 春' }]);
  });
});

describe('portal survey remind', () => {
  it('sends each reminder once per case across runs, only to cases not submitted', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const withAccount = await makeAccount(ctx.db, ctx.clock, { insurer, email: 'remind-me@example.jp' });
    const submitted = await makeAccount(ctx.db, ctx.clock, { insurer, email: 'done@example.jp' });
    const noAddress = makeMember(ctx.db, ctx.clock, insurer);
    // Closes in 10 days: the 7-day reminder is due in 3 days.
    const surveyId = await createSurvey(ctx, insurer, 10, 5);
    const rows = [withAccount.member, submitted.member, noAddress].map((m) => `${m.symbol},${m.number},1,家族,カゾク,1990-01-01,配偶者,`);
    expect((await importTargets(ctx, surveyId, rows)).code).toBe(0); // not open yet: no invitation
    expect(count('survey_notifications n JOIN survey_cases c ON c.id = n.case_id', 'c.survey_id = ?', surveyId)).toBe(0);
    ctx.db.prepare(`UPDATE survey_cases SET status = 'submitted' WHERE member_id = ?`).run(submitted.member.id);
    const remind = () => cli(ctx, ['survey', 'remind', '--survey', String(surveyId)]);
    try {
      ctx.clock.advance(5 * DAY); // open, 5 days to go
      const first = await remind();
      expect(first.out).toContain('invitations 2, 7-day reminders 1, 1-day reminders 0; 2 not mailed (no address on file)');
      const second = await remind();
      expect(second.out).toContain('0 mail(s) queued');
      ctx.clock.advance(4 * DAY); // the day before the deadline
      expect((await remind()).out).toContain('1-day reminders 1');
      expect((await remind()).out).toContain('0 mail(s) queued');
      const kinds = ctx.db.prepare('SELECT kind, count(*) AS n FROM outbox WHERE to_address = ? GROUP BY kind ORDER BY kind').all('remind-me@example.jp');
      expect(kinds).toEqual([
        { kind: 'survey_invitation', n: 1 },
        { kind: 'survey_reminder_1d', n: 1 },
        { kind: 'survey_reminder_7d', n: 1 },
      ]);
      expect(ctx.db.prepare(`SELECT kind FROM outbox WHERE to_address = 'done@example.jp'`).pluck().all()).toEqual(['survey_invitation']);
      await ctx.deliverMail();
      const reminder = ctx.smtp.mails.find((x) => x.to === 'remind-me@example.jp' && x.subject.includes('期限が迫っています'));
      expect(reminder?.text).toMatch(/提出期限：\d+月\d+日（.）まで（あと1日）/);
    } finally {
      ctx.clock.advance(-9 * DAY);
    }
  });
});

describe('the server\'s hourly run', () => {
  it('sends the due invitations of every open survey, and nothing twice', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const account = await makeAccount(ctx.db, ctx.clock, { insurer, email: 'hourly@example.jp' });
    const surveyId = await createSurvey(ctx, insurer, 30, 1); // opens tomorrow
    const m = account.member;
    await importTargets(ctx, surveyId, [`${m.symbol},${m.number},1,家族,カゾク,1990-01-01,配偶者,`]);
    const service = createNotificationService({ db: ctx.db, clock: ctx.clock, baseUrl: 'http://127.0.0.1' });
    const sent = () => ctx.db.prepare(`SELECT count(*) FROM outbox WHERE to_address = 'hourly@example.jp'`).pluck().get();
    service.sendDue();
    expect(sent()).toBe(0);
    ctx.clock.advance(DAY);
    try {
      service.sendDue();
      service.sendDue();
      expect(sent()).toBe(1);
    } finally {
      ctx.clock.advance(-DAY);
    }
  });
});

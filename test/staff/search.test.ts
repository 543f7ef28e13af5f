import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { newSignedInStaff, type SignedIn } from '../support/staff-flows.js';

let ctx: TestContext;
let a: Insurer;
let b: Insurer;
let shoko: Member;
let tsuzuki: Member;
let twinInB: Member;
let opA: SignedIn;
let supervisor: SignedIn;

beforeAll(async () => {
  ctx = await createTestContext();
  a = makeInsurer(ctx.db, ctx.clock, { code: 'kenpoa', name: 'A健康保険組合' });
  b = makeInsurer(ctx.db, ctx.clock, { code: 'kenpob', name: 'B健康保険組合' });
  shoko = makeMember(ctx.db, ctx.clock, a, { symbol: '1001', number: '12', nameKana: 'ケンポ ショウコ', name: '健保 祥子', birthDate: '1985-04-01' });
  tsuzuki = makeMember(ctx.db, ctx.clock, a, { symbol: '1001', number: '13', nameKana: 'ツヅキ ハナコ', name: '都築 花子', birthDate: '1962-07-15' });
  // Same name and birthdate, another society.
  twinInB = makeMember(ctx.db, ctx.clock, b, { symbol: '77', number: '1', nameKana: 'ケンポ ショウコ', name: '健保 祥子', birthDate: '1985-04-01' });
  opA = await newSignedInStaff(ctx, 'op-a', 'operator', ['kenpoa']);
  supervisor = await newSignedInStaff(ctx, 'sv-1', 'supervisor');
});
afterAll(() => ctx.close());

async function searchCard(who: SignedIn, fields: Record<string, string>) {
  await who.agent.get('/staff/');
  return who.agent.post('/staff/search/card', fields);
}
async function searchKana(who: SignedIn, fields: Record<string, string>) {
  await who.agent.get('/staff/');
  return who.agent.post('/staff/search/kana', fields);
}

describe('search by insurer + 記号 + 番号', () => {
  it('finds the member whatever width, zeros and hyphens are typed, opens the page of the single exact hit, and audits both', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await searchCard(opA, { insurerCode: 'kenpoa', symbol: '１００１', number: '0-012' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/staff/members/${shoko.id}`);
    const page = await opA.agent.get(res.headers.location as string);
    const text = visibleText(page.text);
    expect(text).toContain('健保 祥子');
    expect(text).toContain('1985年4月1日（昭和60年）');
    expect(text).toContain('未登録');
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({
        action: 'search',
        staff_login: 'op-a',
        query: '記号・番号: 保険者=kenpoa 記号=1001 番号=12',
        member_id: shoko.id,
        detail: `1件: ${shoko.id}`,
      }),
      expect.objectContaining({ action: 'view_member', staff_login: 'op-a', member_id: shoko.id }),
    ]);
  });

  it('finds nobody for a number that only starts the same (no partial search), and audits the zero-hit search', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await searchCard(opA, { insurerCode: 'kenpoa', symbol: '1001', number: '1' });
    expect(visibleText(res.text)).toContain('該当する加入者は見つかりませんでした');
    expect(ctx.readers.auditRows(mark)).toEqual([expect.objectContaining({ action: 'search', member_id: null, detail: '0件' })]);
  });

  it("does not find another society's member for an operator limited to society A", async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await searchCard(opA, { insurerCode: 'kenpob', symbol: '77', number: '1' });
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('該当する加入者は見つかりませんでした');
    expect(res.text).not.toContain(`/staff/members/${twinInB.id}"`);
    expect(ctx.readers.auditRows(mark)).toEqual([expect.objectContaining({ action: 'search', detail: '0件' })]);
    // The insurer pulldown offers only society A.
    const page = await opA.agent.get('/staff/');
    expect(page.text).toContain('value="kenpoa"');
    expect(page.text).not.toContain('value="kenpob"');
  });

  it('lets a supervisor find members of every society', async () => {
    const res = await searchCard(supervisor, { insurerCode: 'kenpob', symbol: '77', number: '1' });
    expect(res.headers.location).toBe(`/staff/members/${twinInB.id}`);
  });

  it('answers missing fields with messages and writes no audit row', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await searchCard(opA, { insurerCode: '', symbol: '', number: '' });
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('保険者を入力してください');
    expect(text).toContain('記号を入力してください');
    expect(text).toContain('番号を入力してください');
    expect(ctx.readers.auditRows(mark)).toEqual([]);
  });
});

describe('search by kana name + birthdate', () => {
  it('matches by the kana key: hiragana, half-width and small kana all find the member', async () => {
    for (const nameKana of ['けんぽ　しょうこ', 'ｹﾝﾎﾟｼｮｳｺ', 'ケンホ シヨウコ']) {
      const res = await searchKana(opA, { nameKana, birthYear: '1985', birthMonth: '4', birthDay: '1' });
      expect(res.status, nameKana).toBe(303);
      expect(res.headers.location, nameKana).toBe(`/staff/members/${shoko.id}`);
    }
  });

  it('matches by the variant key: ツズキ finds ツヅキ', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await searchKana(opA, { nameKana: 'ツズキ ハナコ', birthYear: '１９６２', birthMonth: '07', birthDay: '15' });
    expect(res.headers.location).toBe(`/staff/members/${tsuzuki.id}`);
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'search', query: 'カナ氏名・生年月日: 氏名=ツズキ ハナコ 生年月日=1962-07-15', member_id: tsuzuki.id }),
    ]);
  });

  it('shows only the societies the operator may see', async () => {
    const res = await searchKana(opA, { nameKana: 'ケンポ ショウコ', birthYear: '1985', birthMonth: '4', birthDay: '1' });
    expect(res.headers.location).toBe(`/staff/members/${shoko.id}`);
    // Two hits are a list to choose from, never a page opened for the operator.
    const all = await searchKana(supervisor, { nameKana: 'ケンポ ショウコ', birthYear: '1985', birthMonth: '4', birthDay: '1' });
    expect(all.status).toBe(200);
    expect(visibleText(all.text)).toContain('検索結果（2件）');
    expect(all.text).toContain(`href="/staff/members/${shoko.id}"`);
    expect(all.text).toContain(`href="/staff/members/${twinInB.id}"`);
  });

  it('finds nobody with another birthdate or only part of the name, and audits both', async () => {
    const mark = ctx.readers.lastAuditId();
    let res = await searchKana(opA, { nameKana: 'ケンポ ショウコ', birthYear: '1985', birthMonth: '4', birthDay: '2' });
    expect(visibleText(res.text)).toContain('該当する加入者は見つかりませんでした');
    res = await searchKana(opA, { nameKana: 'ケンポ', birthYear: '1985', birthMonth: '4', birthDay: '1' });
    expect(visibleText(res.text)).toContain('該当する加入者は見つかりませんでした');
    expect(ctx.readers.auditRows(mark).map((r) => [r.action, r.detail])).toEqual([
      ['search', '0件'],
      ['search', '0件'],
    ]);
  });

  it('refuses kanji, impossible dates and missing fields with messages, without searching', async () => {
    const mark = ctx.readers.lastAuditId();
    let res = await searchKana(opA, { nameKana: '健保 祥子', birthYear: '1985', birthMonth: '2', birthDay: '30' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('氏名（カナ）はひらがなかカタカナで入力してください');
    res = await searchKana(opA, { nameKana: 'ケンポ ショウコ', birthYear: '1985', birthMonth: '2', birthDay: '30' });
    expect(visibleText(res.text)).toContain('生年月日が存在しない日付です');
    res = await searchKana(opA, {});
    expect(visibleText(res.text)).toContain('氏名（カナ）を入力してください');
    expect(ctx.readers.auditRows(mark)).toEqual([]);
  });
});

describe('the birth year as callers say it (和暦)', () => {
  const cases: [string, string][] = [
    ['S60', '1985'], ['昭和60', '1985'], ['昭和６０年', '1985'], ['ｓ６０', '1985'],
  ];
  it('S60, 昭和60, 昭和６０年 and ｓ６０ all find the member born in 1985; the page says which date was searched', async () => {
    for (const [birthYear] of cases) {
      const res = await searchKana(supervisor, { nameKana: 'ケンポ ショウコ', birthYear, birthMonth: '4', birthDay: '1' });
      expect(res.status, birthYear).toBe(200);
      const text = visibleText(res.text);
      expect(text, birthYear).toContain('検索結果（2件）');
      expect(text, birthYear).toContain('生年月日 1985年4月1日（昭和60年） で検索しました');
      // What was typed stays in the field.
      expect(res.text, birthYear).toContain(`value="${birthYear.trim()}"`);
    }
  });

  it('every era and its letter: H2, 平成2, R2, 令和2, T15, M45, 昭和元年', async () => {
    const born: [string, string, string][] = [
      ['H2', '平成2', '1990-05-06'],
      ['R2', '令和2', '2020-05-06'],
      ['T15', '大正15', '1926-05-06'],
      ['M45', '明治45', '1912-05-06'],
      ['S1', '昭和元年', '1926-12-28'],
    ];
    for (const [letter, kanji, birthDate] of born) {
      const m = makeMember(ctx.db, ctx.clock, a, { nameKana: 'ワレキ タロウ', name: '和暦 太郎', birthDate });
      const [, month, day] = birthDate.split('-').map(Number);
      for (const birthYear of [letter, kanji]) {
        const res = await searchKana(opA, { nameKana: 'ワレキ タロウ', birthYear, birthMonth: String(month), birthDay: String(day) });
        expect(res.headers.location, birthYear).toBe(`/staff/members/${m.id}`);
      }
    }
  });

  it('refuses an era year the era never had, or an unknown era, with a message and no search', async () => {
    const mark = ctx.readers.lastAuditId();
    for (const birthYear of ['S65', 'H32', 'T16', 'X5', '昭和', '85']) {
      const res = await searchKana(opA, { nameKana: 'ケンポ ショウコ', birthYear, birthMonth: '4', birthDay: '1' });
      expect(res.status, birthYear).toBe(400);
      expect(visibleText(res.text), birthYear).toContain('生年月日（年）は西暦（1975）か和暦（S50、昭和50、H2 など）で入力してください');
    }
    expect(ctx.readers.auditRows(mark)).toEqual([]);
  });
});

describe('the search page', () => {
  it('puts the focus on the first field to type in: the insurer, or 記号 when there is only one insurer', async () => {
    const sv = await supervisor.agent.get('/staff/');
    expect(sv.text).toMatch(/<select[^>]*name="insurerCode"[^>]*autofocus/);
    expect((sv.text.match(/autofocus/g) ?? []).length).toBe(1);
    const op = await opA.agent.get('/staff/');
    expect(op.text).toMatch(/<input[^>]*name="symbol"[^>]*autofocus/);
    expect((op.text.match(/autofocus/g) ?? []).length).toBe(1);
    // After a failed search the error summary takes the focus instead.
    const failed = await searchCard(opA, { insurerCode: '', symbol: '', number: '' });
    expect(failed.text).not.toContain('autofocus');
  });
});

describe('opening a member page', () => {
  it('is a 404 for a member of another society, audited as a refusal with the member asked for, not as a view', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await opA.agent.get(`/staff/members/${twinInB.id}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('B健康保険組合');
    expect(ctx.readers.auditRows(mark)).toEqual([
      expect.objectContaining({ action: 'refused', member_id: twinInB.id, query: `GET /staff/members/${twinInB.id}`, detail: '404 ページが見つかりません' }),
    ]);
    expect((await supervisor.agent.get(`/staff/members/${twinInB.id}`)).status).toBe(200);
  });

  it('is a 404 for an id that is not a number or no member', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '999999']) {
      const res = await opA.agent.get(`/staff/members/${id}`);
      expect(res.status, id).toBe(404);
      expect(visibleText(res.text)).toContain('ページが見つかりません');
    }
  });

  it('is audited as a view when it opens', async () => {
    const mark = ctx.readers.lastAuditId();
    const res = await opA.agent.get(`/staff/members/${shoko.id}`);
    expect(res.status).toBe(200);
    expect(ctx.readers.auditRows(mark)).toEqual([expect.objectContaining({ action: 'view_member', member_id: shoko.id, staff_login: 'op-a' })]);
  });
});

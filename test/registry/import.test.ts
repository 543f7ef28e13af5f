import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importMembers, type ImportProgress } from '../../src/features/registry/import/index.js';
import { kanaKey, kanaVariantKey } from '../../src/lib/kana.js';
import { DAY } from '../../src/lib/clock.js';
import { makeAccountRow } from '../support/factories.js';
import { csv, FIXTURES, importCsv, registryContext, type RegistryContext } from '../support/registry.js';

const fixture = fs.readFileSync(path.join(FIXTURES, 'members.csv'), 'utf8');

/** What members.csv holds once imported, whatever the file's encoding or line ends. */
const EXPECTED = [
  { symbol: '1001', number: '1', birth_date: '1985-04-01', name: '健保 祥子', name_kana: 'ケンポ ショウコ', email: null, status: 'active' },
  { symbol: '1001', number: '2', birth_date: '1990-12-24', name: '保険 太郎', name_kana: 'ホケン タロウ', email: 'taro.hoken@example.com', status: 'active' },
  { symbol: '1001', number: '3', birth_date: '1962-07-15', name: '都築 花子', name_kana: 'ツヅキ ハナコ', email: null, status: 'active' },
  { symbol: '2002', number: '15', birth_date: '1979-02-28', name: '資格 喪子', name_kana: 'シカク モコ', email: null, status: 'lost' },
  // 0３0 / ０００７: full-width digits and leading zeros folded; the domain of the address lower-cased.
  { symbol: '30', number: '7', birth_date: '2001-01-31', name: '髙橋 ①子', name_kana: 'たかはし いちこ', email: 'ichiko@example.co.jp', status: 'active' },
];

describe('portal import-members: reading the file', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  const expectFixtureImported = (run: { code: number; out: string; err: string }, encoding: string) => {
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(new RegExp(`\\(${encoding}, 5 rows, .*\\): added 5, updated 0, unchanged 0$`));
    expect(ctx.readers.members()).toMatchObject(EXPECTED);
  };

  it('imports a UTF-8 file and prints what it did', async () => {
    expectFixtureImported(await importCsv(ctx, fixture), 'UTF-8');
  });

  it('imports a UTF-8 file that starts with a byte order mark', async () => {
    expectFixtureImported(await importCsv(ctx, '\ufeff' + fixture), 'UTF-8');
  });

  it('imports a Shift_JIS file, including the Windows characters (髙, ①) Excel writes', async () => {
    expectFixtureImported(await importCsv(ctx, iconv.encode(fixture, 'cp932')), 'Shift_JIS');
  });

  it('imports a file with Windows line ends (CRLF), with or without a last line end', async () => {
    expectFixtureImported(await importCsv(ctx, iconv.encode(fixture.replace(/\n/g, '\r\n').trimEnd(), 'cp932')), 'Shift_JIS');
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks, and counts physical lines', async () => {
    const run = await importCsv(
      ctx,
      csv(
        'ungkenpo,1001,1,1985-04-01,"健保, 祥子",ケンポ ショウコ,,active',
        '"ungkenpo","1001","2","1990-12-24","保険 ""太郎""","ホケン タロウ","",""',
        'ungkenpo,1001,3,1962-07-15,"都築\n花子",ツヅキ ハナコ,,active',
        'ungkenpo,1001,4,1962-07-15,都築 次郎,ツヅキ ジロウ,,pending',
      ),
    );
    // The name with a line break is refused (control character) at the line where its record
    // starts, and the next record's line number still counts the break.
    expect(run.code).toBe(1);
    expect(run.err).toContain('line 4: name（氏名）に制御文字が含まれています');
    expect(run.err).toContain('line 6: status「pending」は active（資格あり）か lost（資格喪失）にしてください');

    const fixed = await importCsv(
      ctx,
      csv('ungkenpo,1001,1,1985-04-01,"健保, 祥子",ケンポ ショウコ,,active', '"ungkenpo","1001","2","1990-12-24","保険 ""太郎""","ホケン タロウ","",""'),
    );
    expect(fixed.code, fixed.err).toBe(0);
    expect(ctx.readers.members().map((m) => m.name)).toEqual(['健保, 祥子', '保険 "太郎"']);
  });

  it('skips blank lines, trims spaces around values and accepts the header in any letter case', async () => {
    const run = await importCsv(
      ctx,
      ' Insurer_Code , SYMBOL,number,birth_date,name,name_kana,email,status\n\n  ungkenpo , 1001 , 1 ,1985-04-01, 健保 祥子 ,ケンポ ショウコ ,,\n\n',
    );
    expect(run.code, run.err).toBe(0);
    expect(ctx.readers.members()).toMatchObject([{ symbol: '1001', number: '1', name: '健保 祥子', name_kana: 'ケンポ ショウコ' }]);
  });

  it('accepts the 1985/4/1 form that Excel writes when it saves a CSV, and stores YYYY-MM-DD', async () => {
    const run = await importCsv(ctx, csv('ungkenpo,1001,1,1985/4/1,健保 祥子,ケンポ ショウコ,,active'));
    expect(run.code, run.err).toBe(0);
    expect(ctx.readers.members()[0]!.birth_date).toBe('1985-04-01');
  });

  it('stores both kana keys of every name, computed as the signup page computes them', async () => {
    await importCsv(ctx, csv('ungkenpo,1,1,1962-07-15,都築 花子,ツヅキ ハナコ,,', 'ungkenpo,1,2,1990-01-01,ｹﾝﾎﾟ ｼｮｳｺ,ｹﾝﾎﾟ ｼｮｳｺ,,', 'ungkenpo,1,3,1990-01-01,ヴァイオレット,ヴァイオレット,,'));
    for (const m of ctx.readers.members()) {
      expect(m.kana_key).toBe(kanaKey(m.name_kana));
      expect(m.kana_variant_key).toBe(kanaVariantKey(m.name_kana));
    }
    expect(ctx.readers.members().map((m) => m.kana_variant_key)).toEqual(['ツスキハナコ', 'ケンホシヨウコ', 'ハイオレツト']);
  });

  it('imports a header-only file as nothing to do', async () => {
    const run = await importCsv(ctx, csv());
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/0 rows.*: added 0, updated 0, unchanged 0$/);
  });

  it('builds the kana indexes again after a large first registry, exactly as the migrations define them', async () => {
    const indexes = () => ctx.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' ORDER BY name").all();
    const before = indexes();
    const rows = Array.from({ length: 60_000 }, (_, i) => `ungkenpo,${1 + Math.floor(i / 1000)},${(i % 1000) + 1},1985-04-01,健保 祥子,ケンポ ショウコ,,active`);
    const run = await importCsv(ctx, csv(...rows));
    expect(run.out).toMatch(/added 60000, updated 0, unchanged 0$/);
    expect(indexes()).toEqual(before);
    expect(ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const plan = ctx.db.prepare("EXPLAIN QUERY PLAN SELECT id FROM members WHERE kana_key = 'ケンホシヨウコ' AND birth_date = '1985-04-01'").all();
    expect(JSON.stringify(plan)).toContain('members_by_kana');
  });

  it('imports thousands of rows across many batches and chunks', async () => {
    const rows = Array.from({ length: 3210 }, (_, i) => `ungkenpo,${500 + Math.floor(i / 1000)},${i + 1},1980-01-01,健保 太郎,ケンポ タロウ,m${i}@example.jp,active`);
    const run = await importCsv(ctx, csv(...rows));
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/added 3210, updated 0, unchanged 0$/);
    expect(ctx.readers.memberCount()).toBe(3210);
  });
});

describe('portal import-members: importing again', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  it('counts added, updated and unchanged rows, matching cards in any spelling of the number', async () => {
    expect((await importCsv(ctx, fixture)).code).toBe(0);
    const before = ctx.readers.members();
    ctx.clock.advance(DAY);

    const run = await importCsv(
      ctx,
      csv(
        'ungkenpo,1001,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active', // unchanged
        'ungkenpo,１００１,０２,1990-12-24,保険 太郎,ホケン タロウ,taro.hoken@example.com,active', // unchanged (same card)
        'ungkenpo,1001,3,1962-07-15,都築 花子,ツズキ ハナコ,,active', // kana changed
        'ungkenpo,2002,15,1979-02-28,資格 喪子,シカク モコ,,active', // eligibility back
        'ungkenpo,30,7,2001-01-31,髙橋 ①子,たかはし いちこ,,active', // address removed
        'ungkenpo,3003,1,2000-02-29,新規 加入,シンキ カニュウ,,active', // new
      ),
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/6 rows.*: added 1, updated 3, unchanged 2$/);

    const after = ctx.readers.members();
    const byCard = (rows: typeof after, symbol: string, number: string) => rows.find((m) => m.symbol === symbol && m.number === number)!;
    // Unchanged rows keep their timestamps; updated rows keep their id and creation time.
    expect(byCard(after, '1001', '1')).toEqual(byCard(before, '1001', '1'));
    expect(byCard(after, '1001', '2')).toEqual(byCard(before, '1001', '2'));
    const tsuzuki = byCard(after, '1001', '3');
    expect(tsuzuki).toMatchObject({ id: byCard(before, '1001', '3').id, name_kana: 'ツズキ ハナコ', kana_key: kanaKey('ツズキ ハナコ'), created_at: before[0]!.created_at, updated_at: ctx.clock.now() });
    expect(byCard(after, '2002', '15').status).toBe('active');
    expect(byCard(after, '30', '7').email).toBeNull();
    expect(byCard(after, '3003', '1')).toMatchObject({ name: '新規 加入', created_at: ctx.clock.now() });
    expect(after).toHaveLength(6);
  });

  it('keeps what the portal owns on a member (signup lock, accounts) when the registry row changes', async () => {
    await importCsv(ctx, fixture);
    const member = ctx.readers.members()[0]!;
    ctx.db.prepare('UPDATE members SET signup_locked_until = ?, signup_unlocked_at = ? WHERE id = ?').run(123, 45, member.id);
    makeAccountRow(ctx.db, { memberId: member.id, loginId: 'kenpo01', email: 'a@example.jp', at: 1 });

    const run = await importCsv(ctx, csv('ungkenpo,1001,1,1985-04-01,健保 祥子,ケンポ ショウコ,new@example.jp,active'));
    expect(run.out).toMatch(/added 0, updated 1, unchanged 0$/);
    const row = ctx.db.prepare('SELECT id, email, signup_locked_until, signup_unlocked_at FROM members WHERE id = ?').get(member.id);
    expect(row).toEqual({ id: member.id, email: 'new@example.jp', signup_locked_until: 123, signup_unlocked_at: 45 });
    expect(ctx.db.prepare('SELECT member_id FROM accounts').pluck().all()).toEqual([member.id]);
  });

  it('leaves members that the file does not mention as they are', async () => {
    await importCsv(ctx, fixture);
    const run = await importCsv(ctx, csv('ungkenpo,1001,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active'));
    expect(run.out).toMatch(/added 0, updated 0, unchanged 1$/);
    expect(ctx.readers.memberCount()).toBe(5);
  });
});

describe('the import service', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  it('reports its progress for the terminal display: reading (rows, bytes), then writing', async () => {
    const text = Buffer.from(csv(...Array.from({ length: 1500 }, (_, i) => `ungkenpo,1,${i + 1},1985-04-01,健保 祥子,ケンポ ショウコ,,active`)));
    const chunks = [text.subarray(0, 70_000), text.subarray(70_000)];
    const seen: ImportProgress[] = [];
    const result = await importMembers({ db: ctx.db, clock: ctx.clock }, (async function* () { yield* chunks; })(), {
      source: 'progress.csv',
      onProgress: (p) => seen.push(p),
    });
    expect(result).toEqual({ ok: true, encoding: 'UTF-8', rows: 1500, added: 1500, updated: 0, unchanged: 0 });
    expect(seen[0]).toMatchObject({ phase: 'reading', bytesRead: 70_000 });
    expect(seen[0]!.rows).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ phase: 'applying', rows: 1500, bytesRead: text.length });
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../support/app.js';
import { csv, FIXTURES, importCsv, registryContext, type RegistryContext } from '../support/registry.js';

describe('portal import-members: a file with bad rows', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  it('lists every bad row with its line number and reason, imports nothing and exits non-zero', async () => {
    const run = await importCsv(ctx, fs.readFileSync(path.join(FIXTURES, 'bad-rows.csv')));

    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err.split('\n')).toEqual([
      'line 2: 8行目と同じ会員です（insurer_code ungkenpo、記号 1001、番号 1）',
      'line 3: birth_date（生年月日）「1985-02-30」は存在しない日付です',
      'line 4: name_kana（氏名カナ）に使えない文字があります: 「都」「築」（カナ・空白・ー・中黒・ハイフンだけにしてください）',
      'line 5: insurer_code「nosuchkenpo」の保険者は登録されていません（先に portal insurer add で登録してください）',
      'line 6: email「.jiro@example.jp」: @より前の部分がドット（.）で始まるアドレスは、多くのメールサーバーで受信できないため使えません',
      'line 7: status「retired」は active（資格あり）か lost（資格喪失）にしてください',
      'line 8: 2行目と同じ会員です（insurer_code ungkenpo、記号 1001、番号 1）',
      'line 9: 列の数が8ではなく5です（値の中の , は値を "…" で囲んでください）',
      'line 10: birth_date（生年月日）「85-4-1」は YYYY-MM-DD の形で書いてください / name（氏名）が空です',
      'line 12: birth_date（生年月日）「2099-01-01」は未来の日付です',
      expect.stringMatching(/^portal import-members: registry-\d+\.csv: 10 bad rows of 10; nothing was imported$/),
    ]);
    expect(ctx.readers.memberCount()).toBe(0);
  });

  it('changes nothing in an existing registry when one row of an otherwise good file is bad', async () => {
    await importCsv(ctx, csv('ungkenpo,1001,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active'));
    const before = ctx.readers.members();

    const run = await importCsv(
      ctx,
      csv(
        'ungkenpo,1001,1,1985-04-01,健保 祥子,ケンポ ショウコ,changed@example.jp,lost',
        'ungkenpo,1001,2,1990-12-24,保険 太郎,ホケン タロウ,,active',
        'ungkenpo,1001,3,1962-07-15,都築 花子,Tsuzuki Hanako,,active',
      ),
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('line 4: name_kana（氏名カナ）に使えない文字があります: 「T」「s」「u」「z」「k」「i」「H」「a」「n」「o」');
    expect(ctx.readers.members()).toEqual(before);
  });

  it('reports both lines of a card written twice in different spellings (leading zeros, full-width digits)', async () => {
    const run = await importCsv(
      ctx,
      csv('ungkenpo,0012,３４,1985-04-01,健保 祥子,ケンポ ショウコ,,active', 'ungkenpo,1,1,1985-04-01,保険 太郎,ホケン タロウ,,active', 'UNGKENPO,12,34,1990-12-24,保険 花子,ホケン ハナコ,,active'),
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('line 2: 4行目と同じ会員です（insurer_code ungkenpo、記号 12、番号 34）');
    expect(run.err).toContain('line 4: 2行目と同じ会員です（insurer_code ungkenpo、記号 12、番号 34）');
    expect(ctx.readers.memberCount()).toBe(0);
  });

  it('finds a card written twice when the registry already holds members, and changes none of them', async () => {
    await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active'));
    const before = ctx.readers.members();
    const run = await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,健保 祥子,ケンポ ショウコ,,lost', 'ungkenpo,1,2,1985-04-01,保険 太郎,ホケン タロウ,,active', 'ungkenpo,01,001,1985-04-01,健保 祥子,ケンポ ショウコ,,active'));
    expect(run.err.split('\n').slice(0, 2)).toEqual([
      'line 2: 4行目と同じ会員です（insurer_code ungkenpo、記号 1、番号 1）',
      'line 4: 2行目と同じ会員です（insurer_code ungkenpo、記号 1、番号 1）',
    ]);
    expect(ctx.readers.members()).toEqual(before);
  });

  it('rolls back a large first registry with one duplicate card, keeping the member indexes', async () => {
    const indexes = () => ctx.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' ORDER BY name").all();
    const before = indexes();
    const rows = Array.from({ length: 60_000 }, (_, i) => `ungkenpo,${1 + Math.floor(i / 1000)},${(i % 1000) + 1},1985-04-01,健保 祥子,ケンポ ショウコ,,active`);
    rows.push('ungkenpo,60,1000,1990-01-01,最後 重複,サイゴ チョウフク,,active');
    const run = await importCsv(ctx, csv(...rows));
    expect(run.code).toBe(1);
    expect(run.err.split('\n')).toEqual([
      'line 60001: 60002行目と同じ会員です（insurer_code ungkenpo、記号 60、番号 1000）',
      'line 60002: 60001行目と同じ会員です（insurer_code ungkenpo、記号 60、番号 1000）',
      expect.stringMatching(/2 bad rows of 60,001; nothing was imported$/),
    ]);
    expect(ctx.readers.memberCount()).toBe(0);
    expect(indexes()).toEqual(before);
  });

  it('refuses kanji, latin letters and iteration marks in name_kana and names them', async () => {
    const run = await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,佐々木 ゞ,ササキ ヾヽ,,', 'ungkenpo,1,2,1985-04-01,空,　 ー ,,'));
    expect(run.err).toContain('line 2: name_kana（氏名カナ）に使えない文字があります: 「ヾ」「ヽ」');
    expect(run.err).toContain('line 3: name_kana（氏名カナ）「ー」にカナがありません');
  });

  it('names an empty card, an empty insurer and an over-long 記号', async () => {
    const run = await importCsv(ctx, csv(',,,1985-04-01,健保 祥子,ケンポ ショウコ,,', `ungkenpo,${'記'.repeat(21)},1,1985-04-01,健保 祥子,ケンポ ショウコ,,`));
    expect(run.err).toContain('line 2: insurer_code（保険者指定コード）が空です / symbol（記号）が空です / number（番号）が空です');
    expect(run.err).toContain(`line 3: symbol（記号）「${'記'.repeat(21)}」は使えません（20文字以内、制御文字なし）`);
  });

  it('reports broken quoting as a bad row and goes on reading the next lines', async () => {
    const run = await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,健保 "祥子",ケンポ ショウコ,,', 'ungkenpo,1,2,1985-04-01,"健保" 祥子,ケンポ ショウコ,,', 'ungkenpo,1,3,1985-04-01,健保 祥子,ケンポ ショウコ,,lost,extra'));
    expect(run.err.split('\n').slice(0, 3)).toEqual([
      'line 2: 5列目: 引用符（"）は値全体を囲むときだけ使えます（値の中の " は、値を "…" で囲んで "" と書いてください）',
      'line 3: 5列目: 引用符（"）で囲んだ値の後ろに文字があります（値の中の " は "" と2つ重ねてください）',
      'line 4: 列の数が8ではなく9です（値の中の , は値を "…" で囲んでください）',
    ]);
  });

  it('prints the first 1000 bad rows and counts the rest', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `ungkenpo,1,${i + 1},1985-13-01,健保 祥子,ケンポ ショウコ,,active`);
    const run = await importCsv(ctx, csv(...rows));
    const lines = run.err.split('\n');
    expect(lines).toHaveLength(1002);
    expect(lines[0]).toBe('line 2: birth_date（生年月日）「1985-13-01」は存在しない日付です');
    expect(lines[999]).toMatch(/^line 1001: /);
    expect(lines[1000]).toBe('… and 500 more bad rows');
    expect(lines[1001]).toMatch(/^portal import-members: registry-\d+\.csv: 1,500 bad rows of 1,500; nothing was imported$/);
  });
});

describe('portal import-members: a file that cannot be read as a registry', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  it('refuses a file whose header is not the registry header, naming the expected one', async () => {
    const run = await importCsv(ctx, 'code,symbol,number,birthday,name,kana,email,status\nungkenpo,1,1,1985-04-01,a,ア,,\n');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^portal import-members: registry-\d+\.csv: line 1: /);
    expect(run.err).toContain(
      'line 1: 見出し行は insurer_code,symbol,number,birth_date,name,name_kana,email,status にしてください' +
        '（この行は code,symbol,number,birthday,name,kana,email,status）; nothing was imported',
    );
  });

  it('refuses an empty file, a missing file and a folder', async () => {
    expect((await importCsv(ctx, '')).err).toMatch(/line 1: ファイルが空です（見出し行がありません）; nothing was imported$/);
    const missing = await portalImport(ctx, path.join(ctx.dir, 'nope.csv'));
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/cannot read .*nope\.csv: ENOENT/);
    expect((await portalImport(ctx, ctx.dir)).err).toMatch(/is not a file/);
    expect((await portalImportArgs(ctx, [])).err).toBe('portal import-members: usage: portal import-members FILE.csv');
  });

  it('refuses a quote that is never closed, at the line where it opens', async () => {
    const run = await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,健保 祥子,ケンポ ショウコ,,', 'ungkenpo,1,2,1985-04-01,"健保 祥子,ケンポ ショウコ,,', 'ungkenpo,1,3,1985-04-01,健保 祥子,ケンポ ショウコ,,'));
    expect(run.err).toMatch(/^portal import-members: registry-\d+\.csv: line 3: 引用符（"）が閉じられていません; nothing was imported$/);
  });

  it('refuses a UTF-8 file that turns into other bytes half-way, at the line where they start', async () => {
    const good = Array.from({ length: 2000 }, (_, i) => `ungkenpo,1,${i + 1},1985-04-01,健保 祥子,ケンポ ショウコ,,active`);
    const text = Buffer.from(csv(...good), 'utf8');
    const bad = Buffer.from([0x82, 0xa0, 0x0a]); // あ in Shift_JIS
    const run = await importCsv(ctx, Buffer.concat([text, bad]));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/line 2002: UTF-8として読めないバイトがあります.*; nothing was imported$/);
    expect(ctx.readers.memberCount()).toBe(0);
  });
});

function portalImport(ctx: RegistryContext, file: string) {
  return cli(ctx, ['import-members', file]);
}

function portalImportArgs(ctx: RegistryContext, args: string[]) {
  return cli(ctx, ['import-members', ...args]);
}

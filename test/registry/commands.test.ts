import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { openDatabase } from '../../src/db/database.js';
import { DEMO_INSURER, DEMO_MEMBER } from '../../src/demo/seed.js';
import { findInsurerByCode } from '../../src/features/registry/insurers.js';
import { cli } from '../support/app.js';
import { csv, importCsv, registryContext, type RegistryContext } from '../support/registry.js';

describe('portal insurer', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext();
  });
  afterEach(() => ctx.close());

  it('adds an insurer with its contact lines, folding the code, and lists it', async () => {
    const add = await cli(ctx, [
      'insurer', 'add', '--code', 'ＡＢＣ-Kenpo', '--name', ' ABC健康保険組合 ',
      '--call-center-phone', '0120-000-999', '--call-center-hours', '平日 9:00〜18:00',
      '--call-center-email', 'help@abc.example.jp', '--office-phone', '03-0000-0000', '--office-hours', '平日 9:30〜17:30',
    ]);
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out.split('\n')[0]).toBe('insurer added: abc-kenpo (ABC健康保険組合)');
    expect(findInsurerByCode(ctx.db, 'abc-kenpo')).toMatchObject({
      name: 'ABC健康保険組合', call_center_phone: '0120-000-999', call_center_hours: '平日 9:00〜18:00',
      call_center_email: 'help@abc.example.jp', office_phone: '03-0000-0000', office_hours: '平日 9:30〜17:30',
    });

    const list = await cli(ctx, ['insurer', 'list']);
    expect(list.out.split('\n')).toEqual(['abc-kenpo\tABC健康保険組合\tTEL 0120-000-999', 'ungkenpo\tU-NEXT HOLDINGS健康保険組合\tTEL -']);
  });

  it('refuses a missing name, a bad code, a bad address and a code that exists, changing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--code', 'x'], /--name is required/],
      [['--code', 'a b', '--name', 'n'], /--code "a b" must be 1–20 letters, digits, - or _/],
      [['--code', 'x', '--name', 'n', '--call-center-email', 'nope'], /--call-center-email "nope" is not an e-mail address/],
      [['--code', 'UNGKENPO', '--name', 'n'], /insurer ungkenpo already exists/],
      [['--code', 'x', '--name', 'n', '--fax', '1'], /Unknown option '--fax'/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(ctx, ['insurer', 'add', ...args]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err).toMatch(message);
    }
    expect((await cli(ctx, ['insurer', 'remove'])).err).toMatch(/usage: portal insurer add/);
    expect(ctx.db.prepare('SELECT count(*) FROM insurers').pluck().get()).toBe(1);
  });

  it('lets a new insurer receive its registry right away', async () => {
    await cli(ctx, ['insurer', 'add', '--code', 'newkenpo', '--name', '新健保']);
    const run = await importCsv(ctx, csv('NEWKENPO,1,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active'));
    expect(run.out).toMatch(/added 1, updated 0, unchanged 0$/);
  });
});

describe('portal backup, migrate and seed-demo', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext({ file: true });
  });
  afterEach(() => ctx.close());

  it('backup writes a copy that opens on its own and holds the rows, and never overwrites a file', async () => {
    await importCsv(ctx, csv('ungkenpo,1,1,1985-04-01,健保 祥子,ケンポ ショウコ,,active', 'ungkenpo,1,2,1990-12-24,保険 太郎,ホケン タロウ,,active'));
    const file = path.join(ctx.dir, 'backup.db');
    const run = await cli(ctx, ['backup', file]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(new RegExp(`^backup written to ${file} \\(\\d+\\.\\d MiB\\)$`));

    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT name_kana FROM members ORDER BY number').pluck().all()).toEqual(['ケンポ ショウコ', 'ホケン タロウ']);
    expect(copy.prepare('SELECT code FROM insurers').pluck().all()).toEqual(['ungkenpo']);
    copy.close();

    const again = await cli(ctx, ['backup', file]);
    expect(again.code).toBe(1);
    expect(again.err).toBe(`portal backup: ${file} already exists; choose a new file name`);
    expect((await cli(ctx, ['backup', path.join(ctx.dir, 'no', 'such', 'dir.db')])).err).toMatch(/folder .* does not exist/);
    expect((await cli(ctx, ['backup'])).err).toBe('portal backup: usage: portal backup FILE');
  });

  it('migrate reports an up-to-date database, and brings a fresh one up to date', async () => {
    const total = fs.readdirSync(path.join(import.meta.dirname, '../../migrations')).filter((f) => f.endsWith('.sql')).length;
    const run = await cli(ctx, ['migrate']);
    expect(run).toEqual({ code: 0, out: `database is up to date (${total} migrations applied)`, err: '' });

    // Without an injected database the command opens DATA_DIR/portal.db itself, as `npx portal migrate` does.
    const dataDir = fs.mkdtempSync(path.join(ctx.dir, 'fresh-'));
    const out: string[] = [];
    const code = await runCli(['migrate'], { config: { ...ctx.config, dataDir }, out: (l) => out.push(l), err: (l) => out.push(l), interactive: false });
    expect(code).toBe(0);
    expect(out).toEqual([`database is up to date (${total} migrations applied)`]);
    const fresh = openDatabase(path.join(dataDir, 'portal.db'));
    expect(fresh.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(total);
    expect(fresh.prepare("SELECT name FROM sqlite_master WHERE name = 'registry_import_lock'").pluck().get()).toBe('registry_import_lock');
    fresh.close();
  });

  it('seed-demo creates the demo society and members once, then changes nothing', async () => {
    ctx.db.prepare("UPDATE insurers SET code = 'testkenpo'").run(); // the context's insurer is not the demo one
    const first = await cli(ctx, ['seed-demo']);
    expect(first.code, first.err).toBe(0);
    expect(first.out.split('\n')).toEqual([
      `demo data created: insurer ${DEMO_INSURER.code} (${DEMO_INSURER.name})`,
      `try: 記号 ${DEMO_MEMBER.symbol} 番号 ${DEMO_MEMBER.number} 生年月日 ${DEMO_MEMBER.birthDate} 氏名カナ ${DEMO_MEMBER.nameKana}`,
    ]);
    const demo = findInsurerByCode(ctx.db, DEMO_INSURER.code)!;
    expect(demo).toMatchObject(DEMO_INSURER);
    const count = ctx.readers.memberCount();
    expect(count).toBe(4);
    expect(ctx.db.prepare('SELECT kana_key FROM members WHERE symbol = ? AND number = ?').pluck().get(DEMO_MEMBER.symbol, DEMO_MEMBER.number)).toBe('ケンホシヨウコ');

    const second = await cli(ctx, ['seed-demo']);
    expect(second.out.split('\n')[0]).toBe(`demo insurer ${DEMO_INSURER.code} already exists; nothing changed`);
    expect(ctx.readers.memberCount()).toBe(count);
  });
});

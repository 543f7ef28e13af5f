import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findInsurerByCode, findInsurerByNumber } from '../../src/features/registry/insurers.js';
import { type RegistryContext, registryContext } from '../support/registry.js';
import { cli } from '../support/app.js';

let ctx: RegistryContext;
beforeEach(() => {
  ctx = registryContext();
});
afterEach(() => ctx.close());

const termsOf = (code: string) =>
  ctx.db
    .prepare('SELECT t.version, t.body_markdown FROM terms_versions t JOIN insurers i ON i.id = t.insurer_id WHERE i.code = ? ORDER BY t.version')
    .all(code) as { version: number; body_markdown: string }[];

describe('portal insurer add --insurer-number', () => {
  it('stores the 8-digit 保険者番号 (full-width folded) and lists it', async () => {
    const run = await cli(ctx, ['insurer', 'add', '--code', 'abc', '--name', 'ABC健康保険組合', '--insurer-number', '０６１３ ０００１']);
    expect(run.code, run.err).toBe(0);
    expect(findInsurerByNumber(ctx.db, '06130001')?.code).toBe('abc');
    expect((await cli(ctx, ['insurer', 'list'])).out).toContain('abc\tABC健康保険組合\tTEL -\t保険者番号 06130001');
  });

  it('refuses a number that is not 8 digits, one another society holds, and a code equal to a society\u2019s number, adding nothing', async () => {
    await cli(ctx, ['insurer', 'add', '--code', 'abc', '--name', 'ABC', '--insurer-number', '06130001']);
    const cases: [string[], RegExp][] = [
      [['--code', 'x1', '--name', 'n', '--insurer-number', '0613'], /must be the 8-digit 保険者番号/],
      [['--code', 'x2', '--name', 'n', '--insurer-number', '06130001'], /06130001 is already used by insurer abc/],
      [['--code', '06130001', '--name', 'n'], /code 06130001 is the 保険者番号 of insurer abc/],
      [['--code', 'x3', '--name', 'n', '--insurer-number', '12345678x'], /8-digit/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(ctx, ['insurer', 'add', ...args]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err).toMatch(message);
    }
    expect(ctx.db.prepare('SELECT count(*) FROM insurers').pluck().get()).toBe(2);
    expect(ctx.db.prepare('SELECT count(*) FROM terms_versions').pluck().get()).toBe(1);
  });
});

describe('portal insurer add publishes the standard terms', () => {
  it('as version 1 with the society\u2019s name, until the society publishes its own', async () => {
    const run = await cli(ctx, ['insurer', 'add', '--code', 'abc', '--name', 'ABC健康保険組合']);
    expect(run.out).toContain('standard terms published as version 1');
    const [v1] = termsOf('abc');
    expect(v1!.version).toBe(1);
    expect(v1!.body_markdown).toContain('ABC健康保険組合（以下「当組合」といいます。）');
    expect(v1!.body_markdown).not.toContain('{{society}}');
  });
});

describe('portal insurer update', () => {
  it('changes the name, the contacts and the 保険者番号, leaving what was not given', async () => {
    await cli(ctx, ['insurer', 'add', '--code', 'abc', '--name', 'ABC', '--call-center-phone', '0120-000-001', '--office-hours', '平日']);
    const run = await cli(ctx, [
      'insurer', 'update', '--code', 'ABC', '--name', 'ABC健康保険組合', '--call-center-hours', '平日 9:00〜18:00',
      '--call-center-email', 'help@abc.example.jp', '--insurer-number', '06130002',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('insurer updated: abc (ABC健康保険組合): name, insurer_number, call_center_hours, call_center_email');
    expect(findInsurerByCode(ctx.db, 'abc')).toMatchObject({
      name: 'ABC健康保険組合', call_center_phone: '0120-000-001', call_center_hours: '平日 9:00〜18:00',
      call_center_email: 'help@abc.example.jp', office_hours: '平日',
    });
    expect(findInsurerByNumber(ctx.db, '06130002')?.code).toBe('abc');

    // An empty value clears a contact line or the number.
    expect((await cli(ctx, ['insurer', 'update', '--code', 'abc', '--office-hours', '', '--insurer-number', ''])).code).toBe(0);
    expect(findInsurerByCode(ctx.db, 'abc')?.office_hours).toBe('');
    expect(findInsurerByNumber(ctx.db, '06130002')).toBeUndefined();
  });

  it('refuses an unknown insurer, an empty name, a bad address and nothing to change', async () => {
    const cases: [string[], RegExp][] = [
      [['--code', 'nosuch', '--name', 'n'], /no insurer with code "nosuch"/],
      [['--code', 'ungkenpo', '--name', ' '], /--name is required/],
      [['--code', 'ungkenpo', '--call-center-email', 'nope'], /is not an e-mail address/],
      [['--code', 'ungkenpo'], /nothing to change/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(ctx, ['insurer', 'update', ...args]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err).toMatch(message);
    }
    expect(findInsurerByCode(ctx.db, 'ungkenpo')?.name).toBe('U-NEXT HOLDINGS健康保険組合');
  });
});

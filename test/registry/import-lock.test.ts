import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { importMembers } from '../../src/features/registry/import/index.js';
import { insertInsurer } from '../../src/features/registry/insurers.js';
import { cli } from '../support/app.js';
import { csv, importCsv, registryContext, type RegistryContext, writeCsv } from '../support/registry.js';

const rows = (n: number, domain: string) =>
  csv(...Array.from({ length: n }, (_, i) => `ungkenpo,77,${i + 1},1980-01-01,健保 太郎,ケンポ タロウ,m${i}@${domain},active`));

function lockRows(ctx: RegistryContext) {
  return ctx.db.prepare('SELECT host, pid, source FROM registry_import_lock').all() as { host: string; pid: number; source: string }[];
}

describe('one import at a time', () => {
  let ctx: RegistryContext;
  beforeEach(() => {
    ctx = registryContext({ file: true });
  });
  afterEach(() => ctx.close());

  it('refuses the second of two imports started together, and the first imports whole', async () => {
    const other = openDatabase(path.join(ctx.dir, 'portal.db'));
    const a = writeCsv(ctx, rows(2500, 'a.example.jp'));
    const b = writeCsv(ctx, rows(2500, 'b.example.jp'));

    const [first, second] = await Promise.all([cli(ctx, ['import-members', a]), cli(ctx, ['import-members', b], other)]);

    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/added 2500, updated 0, unchanged 0$/);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(new RegExp(`another import is running \\(${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, started .* by process ${process.pid} on ${os.hostname()}\\); wait for it to finish and run this import again; nothing was imported$`));
    expect(new Set(ctx.readers.members().map((m) => m.email!.split('@')[1]))).toEqual(new Set(['a.example.jp']));
    expect(lockRows(ctx)).toEqual([]);

    // Once the first is done, the second goes through.
    const again = await cli(ctx, ['import-members', b], other);
    expect(again.out).toMatch(/added 0, updated 2500, unchanged 0$/);
    other.close();
  });

  it('refuses to start while a running process holds the lock, and leaves its lock alone', async () => {
    ctx.db
      .prepare("INSERT INTO registry_import_lock (id, host, pid, token, source, started_at) VALUES (1, ?, ?, 'theirs', '/data/big.csv', ?)")
      .run(os.hostname(), process.ppid, ctx.clock.now());
    const run = await importCsv(ctx, rows(3, 'a.example.jp'));
    expect(run.code).toBe(1);
    expect(run.err).toContain(`another import is running (/data/big.csv, started 2026/4/1 09:00 by process ${process.ppid} on ${os.hostname()})`);
    expect(ctx.readers.memberCount()).toBe(0);
    expect(lockRows(ctx)).toEqual([{ host: os.hostname(), pid: process.ppid, source: '/data/big.csv' }]);
  });

  it('takes over a lock left by an import whose process died', async () => {
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: no such process
    ctx.db
      .prepare("INSERT INTO registry_import_lock (id, host, pid, token, source, started_at) VALUES (1, ?, ?, 'crashed', '/data/old.csv', 0)")
      .run(os.hostname(), deadPid);
    const run = await importCsv(ctx, rows(3, 'a.example.jp'));
    expect(run.code, run.err).toBe(0);
    expect(ctx.readers.memberCount()).toBe(3);
    expect(lockRows(ctx)).toEqual([]);
  });

  it('does not lock the database while it reads the file: the portal keeps writing meanwhile', async () => {
    const other = openDatabase(path.join(ctx.dir, 'portal.db'));
    other.pragma('busy_timeout = 0');
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let reading!: () => void;
    const started = new Promise<void>((r) => (reading = r));
    const text = Buffer.from(rows(2000, 'a.example.jp'));
    const input = (async function* () {
      yield text.subarray(0, 70_000);
      reading();
      await paused;
      yield text.subarray(70_000);
    })();

    const result = importMembers({ db: ctx.db, clock: ctx.clock }, input, { source: 'test' });
    await started;
    // A write from another connection (a session save, say) does not wait for the import.
    insertInsurer(other, { code: 'other', name: '他健保', call_center_phone: '', call_center_hours: '', call_center_email: '', office_phone: '', office_hours: '' }, 1);
    resume();
    expect(await result).toMatchObject({ ok: true, added: 2000 });
    other.close();
  });
});

describe('an import that fails part-way', () => {
  let ctx: RegistryContext;
  let tmp: string | undefined;
  beforeEach(() => {
    ctx = registryContext({ file: true });
    tmp = process.env.TMPDIR;
    process.env.TMPDIR = fs.mkdtempSync(path.join(ctx.dir, 'tmp-'));
  });
  afterEach(() => {
    process.env.TMPDIR = tmp;
    ctx.close();
  });

  it('changes nothing, says so, releases the lock and removes its scratch files', async () => {
    await importCsv(ctx, rows(5, 'old.example.jp'));
    const before = ctx.readers.members();
    // The database refuses to write one row of the next file, half-way through the upsert.
    ctx.db.exec(`CREATE TEMP TRIGGER refuse_member BEFORE UPDATE ON main.members WHEN NEW.number = '3'
                 BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    const run = await importCsv(ctx, rows(3000, 'new.example.jp'));

    expect(run.code).toBe(1);
    expect(run.err).toBe('portal import-members: failed: disk I/O error (simulated); nothing was imported');
    expect(ctx.readers.members()).toEqual(before);
    expect(lockRows(ctx)).toEqual([]);
    expect(fs.readdirSync(process.env.TMPDIR!)).toEqual([]);

    ctx.db.exec('DROP TRIGGER refuse_member');
    const again = await importCsv(ctx, rows(3000, 'new.example.jp'));
    expect(again.out).toMatch(/added 2995, updated 5, unchanged 0$/);
  });
});

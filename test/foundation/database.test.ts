import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { TestClock } from '../../src/lib/clock.js';
import { makeInsurer, makeMember } from '../support/factories.js';

describe('database and migrations', () => {
  it('opens a file database in WAL mode with foreign keys on', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portal-db-')), 'portal.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('applies each migration once and records it', () => {
    const db = openDatabase(':memory:');
    const first = migrate(db);
    expect(first.applied[0]).toBe('0001_init.sql');
    expect(migrate(db).applied).toEqual([]);
    const recorded = db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all();
    expect(recorded).toEqual(first.applied);
  });

  it('rolls back a migration that fails part-way and records nothing for it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-mig-'));
    fs.writeFileSync(path.join(dir, '0001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    fs.writeFileSync(path.join(dir, '0002_broken.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
    const db = openDatabase(':memory:');
    expect(() => migrate(db, dir)).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    expect(db.prepare('SELECT name FROM schema_migrations').pluck().all()).toEqual(['0001_ok.sql']);
  });

  it('keeps one registry row per insurer, canonical symbol and number', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const clock = new TestClock();
    const insurer = makeInsurer(db, clock);
    makeMember(db, clock, insurer, { symbol: '0012', number: '３４' });
    expect(() => makeMember(db, clock, insurer, { symbol: '12', number: '34' })).toThrow(/UNIQUE/);
  });

  it('refuses to change or delete audit rows', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    db.prepare("INSERT INTO audit_log (at, staff_login, client_ip, action) VALUES (1, 'op', '127.0.0.1', 'search')").run();
    expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});

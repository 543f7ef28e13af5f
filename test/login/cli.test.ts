import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { TestClock } from '../../src/lib/clock.js';
import { DEMO_INSURER, seedDemo } from '../../src/demo/seed.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { cli, createTestContext, type TestContext } from '../support/app.js';
import { makeAccount, makeInsurer } from '../support/factories.js';
import { logIn } from '../support/member-flows.js';

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-terms-'));
});
afterAll(async () => {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const versionsOf = (insurerId: number) =>
  ctx.db.prepare('SELECT version, body_markdown FROM terms_versions WHERE insurer_id = ? ORDER BY version').all(insurerId) as {
    version: number; body_markdown: string;
  }[];
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

describe('portal terms publish', () => {
  it('publishes the next version from a UTF-8 Markdown file (BOM and CRLF folded)', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const first = await cli(ctx, ['terms', 'publish', file('v1.md', '\uFEFF# 利用規約\r\n\r\n第1条'), '--insurer', insurer.code]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain(`terms version 1 published for ${insurer.code}`);
    const second = await cli(ctx, ['terms', 'publish', file('v2.md', '# 利用規約\n\n第2版'), '--insurer', insurer.code]);
    expect(second.out).toContain('terms version 2 published');
    expect(versionsOf(insurer.id)).toEqual([
      { version: 1, body_markdown: '# 利用規約\n\n第1条' },
      { version: 2, body_markdown: '# 利用規約\n\n第2版' },
    ]);
  });

  it('refuses a missing or empty or non-UTF-8 file, an unknown insurer and bad usage, publishing nothing', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const cases: [string[], string][] = [
      [['terms', 'publish', path.join(dir, 'none.md'), '--insurer', insurer.code], 'cannot read'],
      [['terms', 'publish', file('empty.md', ' \n'), '--insurer', insurer.code], 'is empty'],
      [['terms', 'publish', file('sjis.md', Buffer.from([0x82, 0xa0, 0x82, 0xa2])), '--insurer', insurer.code], 'not UTF-8'],
      [['terms', 'publish', file('ok.md', '# 規約'), '--insurer', 'no-such'], 'no insurer'],
      [['terms', 'publish', file('ok2.md', '# 規約')], '--insurer is required'],
      [['terms', 'publish', '--insurer', insurer.code], 'usage'],
      [['terms', 'list'], 'usage'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(ctx, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toContain(message);
    }
    expect(versionsOf(insurer.id)).toEqual([]);
  });
});

describe('portal notice add', () => {
  it('adds a notice that my page shows until its last day', async () => {
    const account = await makeAccount(ctx.db, ctx.clock);
    const r = await cli(ctx, ['notice', 'add', '--insurer', account.insurer.code, '--title', '健診のお知らせ', '--body', '1行目\\n2行目', '--until', '2026-04-30']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('shown until 2026-04-30');
    expect(ctx.db.prepare('SELECT title, body, until_date FROM notices WHERE insurer_id = ?').get(account.insurer.id)).toEqual({
      title: '健診のお知らせ', body: '1行目\n2行目', until_date: '2026-04-30',
    });
    const agent = new TestAgent(ctx.app);
    await logIn(agent, account.loginId, account.password);
    expect(visibleText((await agent.get('/portal/mypage')).text)).toContain('健診のお知らせ');
  });

  it('refuses bad input, adding nothing', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const base = ['notice', 'add', '--insurer', insurer.code];
    const cases: [string[], string][] = [
      [[...base, '--body', 'x'], '--title is required'],
      [[...base, '--title', 't'], '--body is required'],
      [[...base, '--title', 't', '--body', 'x', '--until', '2026-02-30'], 'is not a date'],
      [[...base, '--title', 't', '--body', 'x', '--until', '2026-03-31'], 'in the past'],
      [[...base, '--title', 'x'.repeat(101), '--body', 'x'], 'longer than 100'],
      [['notice', 'add', '--insurer', 'no-such', '--title', 't', '--body', 'x'], 'no insurer'],
      [[...base, '--title', 't', '--body', 'x', '--colour', 'red'], 'Unknown option'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(ctx, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toContain(message);
    }
    expect(ctx.db.prepare('SELECT count(*) FROM notices WHERE insurer_id = ?').pluck().get(insurer.id)).toBe(0);
  });
});

describe('demo data', () => {
  it('publishes the first version of the demo terms in Japanese and one notice', () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db);
      const { seeded, insurer } = seedDemo({ db, clock: new TestClock() });
      expect(seeded).toBe(true);
      expect(insurer.code).toBe(DEMO_INSURER.code);
      const terms = db.prepare('SELECT version, body_markdown FROM terms_versions WHERE insurer_id = ?').all(insurer.id) as { version: number; body_markdown: string }[];
      expect(terms).toHaveLength(1);
      expect(terms[0]!.version).toBe(1);
      expect(terms[0]!.body_markdown).toContain('# 加入者ポータル利用規約');
      expect(terms[0]!.body_markdown).toContain('U-NEXT HOLDINGS健康保険組合');
      expect(db.prepare('SELECT count(*) FROM notices WHERE insurer_id = ?').pluck().get(insurer.id)).toBe(1);
      expect(seedDemo({ db, clock: new TestClock() }).seeded).toBe(false);
      expect(db.prepare('SELECT count(*) FROM terms_versions').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});

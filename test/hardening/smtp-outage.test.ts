import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import { SECOND } from '../../src/lib/clock.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, listen, type Listening, type TestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { reachCodeStep } from '../support/member-flows.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

/*
 * The mail server goes away in the middle of the signup season. The portal
 * must keep answering, keep every mail it promised in the outbox, and send
 * it on its own once the mail server is back — no restart, nobody re-typing.
 */

let ctx: TestContext;
let web: Listening;
let insurer: Insurer;
let revived: TestSmtpServer | undefined;
beforeEach(async () => {
  ctx = await createTestContext({ LOG_LEVEL: 'error' });
  web = await listen(ctx.app);
  insurer = makeInsurer(ctx.db, ctx.clock);
});
afterEach(async () => {
  await ctx.deps.outbox.stop();
  await revived?.close();
  revived = undefined;
  await web.close();
  await ctx.close();
});

type OutboxRow = { id: number; sent_at: number | null; attempts: number; last_error: string | null; next_attempt_at: number; text_body: string | null };
const codeMail = (memberId: number) =>
  ctx.db
    .prepare<[number], OutboxRow>("SELECT id, sent_at, attempts, last_error, next_attempt_at, text_body FROM outbox WHERE member_id = ? AND kind = 'signup_code'")
    .get(memberId)!;

/** Runs the worker's own timer, as the server does, and lets it tick until `done` or 5 s pass. */
async function workerUntil(done: () => boolean): Promise<void> {
  ctx.deps.outbox.start(25);
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

async function completeWith(agent: TestAgent, code: string) {
  await agent.get('/portal/signup/verify');
  const res = await agent.post('/portal/signup/verify', { code });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/portal/signup/done');
  expect(visibleText((await agent.get('/portal/signup/done')).text)).toContain('登録が完了しました');
}

describe('the mail server is down', () => {
  it('signup still reaches the code page, the code mail waits in the outbox, and goes out once the server is back on its port', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const port = ctx.smtp.port;
    await ctx.smtp.close(); // connection refused from now on

    const agent = new TestAgent(web.server);
    await reachCodeStep(agent, insurer, member, { loginId: 'outage-1', email: 'outage-1@example.com' });
    const page = await agent.get('/portal/signup/verify');
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('認証コード');

    await ctx.deps.outbox.drain(); // the attempt the commit kicked off has failed by now
    let row = codeMail(member.id);
    expect(row.sent_at).toBeNull();
    expect(row.attempts).toBeGreaterThan(0);
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(row.text_body).toMatch(/認証コード：\d{6}/);
    expect(row.next_attempt_at).toBeGreaterThan(ctx.clock.now()); // retried with backoff, not in a tight loop

    revived = await startSmtpServer({ port });
    // Nothing is sent before the retry is due (the worker ticks every 25 ms here) …
    ctx.deps.outbox.start(25);
    await new Promise((r) => setTimeout(r, 300));
    expect(revived.mails).toHaveLength(0);
    // … and once it is, the worker's timer sends it by itself.
    ctx.clock.advance(row.next_attempt_at - ctx.clock.now() + SECOND);
    await workerUntil(() => revived!.mails.length > 0);
    const mail = await revived.waitForMail((m) => m.to === 'outage-1@example.com');
    expect(mail.subject).toContain('認証コードのお知らせ');
    row = codeMail(member.id);
    expect(row.sent_at).not.toBeNull();
    expect(row.text_body).toBeNull(); // a code is erased from the outbox once delivered

    await completeWith(agent, /認証コード：(\d{6})/.exec(mail.text)![1]!);
  });

  it('a mail server that refuses (451) gets the mail again later, and the member can complete', async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    ctx.smtp.refuseNext(2);
    const agent = new TestAgent(web.server);
    await reachCodeStep(agent, insurer, member, { loginId: 'outage-2', email: 'outage-2@example.com' });
    await ctx.deps.outbox.drain();
    expect(codeMail(member.id)).toMatchObject({ sent_at: null, attempts: 1, last_error: expect.stringMatching(/451|try again/) });

    ctx.clock.advance(codeMail(member.id).next_attempt_at - ctx.clock.now() + SECOND);
    await ctx.deps.outbox.drain();
    expect(codeMail(member.id)).toMatchObject({ sent_at: null, attempts: 2 });

    ctx.clock.advance(codeMail(member.id).next_attempt_at - ctx.clock.now() + SECOND);
    await workerUntil(() => codeMail(member.id).sent_at !== null);
    expect(codeMail(member.id)).toMatchObject({ attempts: 3, last_error: null });
    const mail = await ctx.smtp.waitForMail((m) => m.to === 'outage-2@example.com');
    await completeWith(agent, /認証コード：(\d{6})/.exec(mail.text)![1]!);
  });

  it('every page keeps answering quickly while mails pile up unsent', async () => {
    await ctx.smtp.close();
    const members = Array.from({ length: 5 }, () => makeMember(ctx.db, ctx.clock, insurer));
    for (const [i, member] of members.entries()) {
      const agent = new TestAgent(web.server);
      const started = Date.now();
      await reachCodeStep(agent, insurer, member, { loginId: `outage-many-${i}`, email: `outage-many-${i}@example.com` });
      expect(Date.now() - started).toBeLessThan(5000);
    }
    await ctx.deps.outbox.drain();
    const waiting = ctx.db.prepare("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = 'signup_code' AND attempts > 0").pluck().get();
    expect(waiting).toBe(5);
    expect((await new TestAgent(web.server).get('/healthz')).status).toBe(200);
  });

  it('a mail server that takes the connection but never answers holds the outbox at most a minute per try', () => {
    // One worker sends one mail at a time: with nodemailer's defaults (connection 2 min,
    // socket 10 min) a stalled server would hold every code behind it past its 10-minute life.
    // Checked on the transport the server builds, since waiting out 10 minutes is no test.
    const transport = createMailTransport({ smtpUrl: 'smtp://127.0.0.1:2525', mailDir: os.tmpdir() });
    const options = (transport as unknown as { transporter: { options: Record<string, number | undefined> } }).transporter.options;
    expect(options.connectionTimeout ?? 120_000, 'connectionTimeout').toBeLessThanOrEqual(30_000);
    expect(options.greetingTimeout ?? 30_000, 'greetingTimeout').toBeLessThanOrEqual(30_000);
    expect(options.socketTimeout ?? 600_000, 'socketTimeout').toBeLessThanOrEqual(60_000);
    transport.close();
  });
});

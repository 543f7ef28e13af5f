import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { TestClock, MINUTE } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { renderMail } from '../../src/mail/render.js';
import { OutboxWorker } from '../../src/mail/worker.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeInsurer } from '../support/factories.js';
import { startSmtpServer } from '../support/smtp.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Row = { sent_at: number | null; attempts: number; last_error: string | null; text_body: string | null; next_attempt_at: number };
const rowOf = (id: number) =>
  ctx.db.prepare('SELECT sent_at, attempts, last_error, text_body, next_attempt_at FROM outbox WHERE id = ?').get(id) as Row;

describe('mail outbox', () => {
  it('renders Japanese text and HTML parts with the society in the subject and its contact block', () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { name: 'U-NEXT HOLDINGS健康保険組合', call_center_phone: '0120-000-123' });
    const mail = renderMail('userid-reminder', 'ユーザーIDのお知らせ', { insurer, memberName: '健保 祥子', loginId: 'kenpo01', baseUrl: 'https://p.example.jp' });
    expect(mail.subject).toBe('【U-NEXT HOLDINGS健康保険組合】ユーザーIDのお知らせ');
    expect(mail.text).toContain('ユーザーID：kenpo01');
    expect(mail.text).toContain('0120-000-123');
    expect(mail.html).toContain('<strong>kenpo01</strong>');
  });

  it('escapes values in the HTML part but not in the text part', () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const mail = renderMail('userid-reminder', 'ユーザーIDのお知らせ', { insurer, memberName: '<b>&', loginId: 'a', baseUrl: 'x' });
    expect(mail.html).toContain('&lt;b&gt;&amp;');
    expect(mail.text).toContain('<b>&');
  });

  it('retries a refused mail with backoff and delivers it, recording attempts and times', async () => {
    ctx.smtp.refuseNext(1);
    const id = enqueueMail(ctx.db, ctx.clock, { kind: 'test', to: 'member@example.jp', subject: '件名', text: '本文 123456', html: '<p>本文</p>', sensitive: true });
    expect(await ctx.deliverMail()).toBe(0);
    let row = rowOf(id);
    expect(row.sent_at).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451|try again/);
    expect(row.next_attempt_at).toBe(ctx.clock.now() + 30_000);

    // Not due yet: nothing is sent before the backoff passes.
    expect(await ctx.deliverMail()).toBe(0);
    ctx.clock.advance(31_000);
    expect(await ctx.deliverMail()).toBe(1);
    row = rowOf(id);
    expect(row.sent_at).toBe(ctx.clock.now());
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeNull();
    // A mail carrying a code keeps no body once delivered.
    expect(row.text_body).toBeNull();
    const mail = await ctx.smtp.waitForMail((m) => m.to === 'member@example.jp');
    expect(mail.subject).toBe('件名');
    expect(mail.text).toContain('本文 123456');
  });

  it('keeps undelivered mail across a restart and sends it from the new process', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portal-outbox-')), 'portal.db');
    const clock = new TestClock();
    let db = openDatabase(file);
    migrate(db);
    const id = enqueueMail(db, clock, { kind: 'test', to: 'later@example.jp', subject: '再起動後', text: 't', html: 'h' });
    db.close(); // the "crash": nothing was sent

    db = openDatabase(file);
    const smtp = await startSmtpServer();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const worker = new OutboxWorker({ db, clock, logger: createLogger('silent'), transport, from: 'no-reply@example.jp' });
    expect(await worker.drain()).toBe(1);
    expect((await smtp.waitForMail((m) => m.to === 'later@example.jp')).subject).toBe('再起動後');
    expect(db.prepare('SELECT sent_at FROM outbox WHERE id = ?').pluck().get(id)).toBe(clock.now());
    transport.close();
    await smtp.close();
    db.close();
  });

  it('caps the retry delay at one hour', async () => {
    const { retryDelayMs } = await import('../../src/mail/outbox.js');
    expect(retryDelayMs(0)).toBe(30_000);
    expect(retryDelayMs(1)).toBe(60_000);
    expect(retryDelayMs(20)).toBe(60 * MINUTE);
  });
});

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { caseRow, memberWithSurvey, STUDENT_NO_INCOME } from './helpers.js';
import { documentRows, pdf, phoneJpeg, storedFiles } from './upload-helpers.js';
import { csrfTokenOf } from '../support/agent.js';
import { type Listening, type TestContext, createTestContext, listen } from '../support/app.js';

let ctx: TestContext;
let web: Listening;
beforeAll(async () => {
  ctx = await createTestContext();
  web = await listen(ctx.app);
});
afterAll(async () => {
  await web.close();
  await ctx.close();
});

/** Sends the head of a multipart upload and part of the file over a raw socket, then cuts the connection. */
async function cutUpload(o: { cookie: string; token: string; slot: string; content: Buffer; name: string; sendBytes: number }) {
  const boundary = '----survey-cut-test';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="slot"\r\n\r\n${o.slot}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${o.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + o.content.length + tail.length;
  const { port } = new URL(web.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST /portal/survey/documents?_csrf=${encodeURIComponent(o.token)} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Cookie: ${o.cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(head);
  await new Promise<void>((resolve) => socket.write(o.content.subarray(0, o.sendBytes), () => resolve()));
  // Let the server start on the file (reservation written, store file open) before the cut.
  await vi.waitFor(() => expect(ctx.db.prepare(`SELECT count(*) FROM survey_documents WHERE state = 'uploading'`).pluck().get()).toBe(1));
  socket.destroy();
}

describe('a connection cut mid-upload', () => {
  it.each([
    ['a PDF', () => Promise.resolve(Buffer.concat([pdf(), Buffer.alloc(2 * 1024 * 1024, 0x20)])), 'cut.pdf'],
    ['a photo', () => phoneJpeg().then((j) => Buffer.concat([j, Buffer.alloc(2 * 1024 * 1024)])), 'cut.jpg'],
  ])('of %s leaves no row and no file', async (_what, make, name) => {
    const s = await memberWithSurvey(ctx);
    const child = s.dependents[1]!;
    await s.agent.get(`/portal/survey/dependents/${child}`);
    await s.agent.post(`/portal/survey/dependents/${child}`, STUDENT_NO_INCOME);
    await s.agent.get('/portal/survey/documents');
    const caseId = caseRow(ctx, s.account.member.id, s.surveyId).id;
    const cookie = (s.agent.http as unknown as { jar: { getCookies(a: unknown): { toValueString(): string }[] } }).jar
      .getCookies({ domain: '127.0.0.1', path: '/portal/', secure: false, script: false })
      .map((c) => c.toValueString())
      .join('; ');
    const before = storedFiles(ctx).length;
    const content = await make();
    await cutUpload({ cookie, token: csrfTokenOf(s.agent.lastPage), slot: `${child}:enrolment_certificate`, content, name, sendBytes: 1024 * 1024 });
    await vi.waitFor(() => {
      expect(documentRows(ctx, caseId)).toEqual([]);
      expect(storedFiles(ctx)).toHaveLength(before);
    });
  });
});

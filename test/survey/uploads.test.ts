import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRow, memberWithSurvey, STUDENT_NO_INCOME } from './helpers.js';
import { documentRows, documentsDir, gif, hasGpsPointer, pdf, phoneJpeg, program, storedContent, storedFiles, upload } from './upload-helpers.js';
import { visibleText } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

async function studentCase() {
  const s = await memberWithSurvey(ctx);
  const child = s.dependents[1]!;
  await s.agent.get(`/portal/survey/dependents/${child}`);
  expect((await s.agent.post(`/portal/survey/dependents/${child}`, STUDENT_NO_INCOME)).status).toBe(303);
  await s.agent.get('/portal/survey/documents');
  const caseId = caseRow(ctx, s.account.member.id, s.surveyId).id;
  return { ...s, child, slot: `${child}:enrolment_certificate`, caseId };
}

describe('document upload', () => {
  it('shows the マイナンバー notice above the form and a form for each needed document', async () => {
    const s = await studentCase();
    const page = await s.agent.get('/portal/survey/documents');
    const text = visibleText(page.text);
    expect(text).toContain('マイナンバー（個人番号）が写っている場合は、その部分を隠してから撮影・提出してください。');
    expect(text).toContain('在学証明書（発行から3か月以内）');
    expect(text.indexOf('マイナンバー')).toBeLessThan(text.indexOf('在学証明書'));
    expect(page.text).toContain(`value="${s.slot}"`);
  });

  it('stores a phone JPEG upright and without its EXIF (GPS position included), encrypted, with a thumbnail', async () => {
    const s = await studentCase();
    const original = await phoneJpeg();
    const sent = await sharp(original).metadata();
    expect(hasGpsPointer(sent.exif)).toBe(true);
    expect(sent.orientation).toBe(6);
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: original, name: 'IMG_0001.jpg' }] });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/survey/documents?done=uploaded');
    const [row] = documentRows(ctx, s.caseId);
    expect(row).toMatchObject({ kind: 'enrolment_certificate', media_type: 'image/jpeg', state: 'received', original_name: 'IMG_0001.jpg', has_thumbnail: 1 });
    const stored = await storedContent(ctx, row!.storage_key);
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([40, 80]); // turned upright
    expect(stored.includes(Buffer.from('TestPhone'))).toBe(false);
    expect(row!.size).toBe(stored.length);
    expect(row!.sha256).toBe(crypto.createHash('sha256').update(stored).digest('hex'));
    // At rest the file is not the JPEG: encrypted under DOCUMENT_KEY.
    const onDisk = fs.readFileSync(path.join(documentsDir(ctx), row!.storage_key.slice(0, 2), row!.storage_key));
    expect(onDisk.includes(stored.subarray(0, 64))).toBe(false);
    const page = await s.agent.get('/portal/survey/documents');
    expect(page.text).toContain(`/portal/survey/documents/${row!.id}/thumbnail`);
    const thumb = await s.agent.http.get(`/portal/survey/documents/${row!.id}/thumbnail`).buffer(true);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
  });

  it('accepts a PDF named .jpg as the PDF it is', async () => {
    const s = await studentCase();
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: pdf(), name: 'scan.jpg' }] });
    expect(res.status).toBe(303);
    expect(documentRows(ctx, s.caseId)).toMatchObject([{ media_type: 'application/pdf', state: 'received', has_thumbnail: 0 }]);
  });

  it.each([
    ['a renamed program', () => program(), 'photo.jpg', 'JPEG・PNGの画像かPDFのファイルではありません'],
    ['a GIF', () => gif(), 'anim.gif', 'GIF画像は受け付けていません'],
    ['an empty file', () => Buffer.alloc(0), 'empty.pdf', '空のファイルです'],
    ['an 11 MB file', () => Buffer.concat([pdf(), Buffer.alloc(11 * 1024 * 1024, 0x20)]), 'big.pdf', 'ファイルが大きすぎます。1ファイル10MBまでです'],
  ])('refuses %s with a message and leaves nothing behind', async (_what, make, name, message) => {
    const s = await studentCase();
    const before = storedFiles(ctx).length;
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: await make(), name }] });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain(message);
    expect(visibleText(res.text)).toContain(`「${name}」`);
    expect(documentRows(ctx, s.caseId)).toEqual([]);
    expect(storedFiles(ctx)).toHaveLength(before);
  });

  it('shows a file name with markup escaped, never as markup', async () => {
    const s = await studentCase();
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: await gif(), name: '<img src=x onerror=alert(1)>.gif' }] });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;.gif');
  });

  it('keeps the good files of a mixed upload and refuses the bad one', async () => {
    const s = await studentCase();
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: pdf('a'), name: 'a.pdf' }, { content: await gif(), name: 'b.gif' }, { content: pdf('c'), name: 'c.pdf' }] });
    expect(res.status).toBe(400);
    expect(documentRows(ctx, s.caseId).map((r) => r.original_name)).toEqual(['a.pdf', 'c.pdf']);
  });

  it('refuses the 31st file of a case', async () => {
    const s = await studentCase();
    const thirty = Array.from({ length: 30 }, (_, i) => ({ content: pdf(String(i)), name: `p${i}.pdf` }));
    expect((await upload(s.agent, { slot: s.slot, files: thirty })).status).toBe(303);
    await s.agent.get('/portal/survey/documents');
    const res = await upload(s.agent, { slot: s.slot, files: [{ content: pdf('31'), name: 'p31.pdf' }] });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('書類は1件の調査につき30ファイルまでです');
    expect(documentRows(ctx, s.caseId)).toHaveLength(30);
  });

  it('holds the 30-file cap when uploads arrive at once', async () => {
    const s = await studentCase();
    const token = /name="_csrf" value="([^"]+)"/.exec(s.agent.lastPage)![1]!;
    const first = Array.from({ length: 27 }, (_, i) => ({ content: pdf(String(i)), name: `p${i}.pdf` }));
    expect((await upload(s.agent, { slot: s.slot, files: first }, token)).status).toBe(303);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upload(s.agent, { slot: s.slot, files: [{ content: pdf(`x${i}`), name: `x${i}.pdf` }] }, token)),
    );
    expect(results.filter((r) => r.status === 303)).toHaveLength(3);
    expect(results.filter((r) => r.status === 400)).toHaveLength(3);
    expect(documentRows(ctx, s.caseId).filter((r) => r.state === 'received')).toHaveLength(30);
  });

  it("answers 404 for another member's dependent and writes nothing", async () => {
    const s = await studentCase();
    const other = await studentCase();
    const before = storedFiles(ctx).length;
    const res = await upload(s.agent, { slot: `${other.child}:enrolment_certificate`, files: [{ content: pdf(), name: 'a.pdf' }] });
    expect(res.status).toBe(404);
    expect(documentRows(ctx, other.caseId)).toEqual([]);
    expect(storedFiles(ctx)).toHaveLength(before);
  });

  it('refuses a multipart post without a valid CSRF token and stores nothing', async () => {
    const s = await studentCase();
    const before = storedFiles(ctx).length;
    const noToken = await s.agent.http.post('/portal/survey/documents').field('slot', s.slot).field('_csrf', 'x').attach('file', pdf(), 'a.pdf');
    expect(noToken.status).toBe(403);
    const wrong = await upload(s.agent, { slot: s.slot, files: [{ content: pdf(), name: 'a.pdf' }] }, 'not-the-token');
    expect(wrong.status).toBe(403);
    expect(documentRows(ctx, s.caseId)).toEqual([]);
    expect(storedFiles(ctx)).toHaveLength(before);
  });

  it('lets the member delete an upload before submitting; the file goes, the record stays as deleted', async () => {
    const s = await studentCase();
    await upload(s.agent, { slot: s.slot, files: [{ content: await phoneJpeg(), name: 'a.jpg' }] });
    const [row] = documentRows(ctx, s.caseId);
    const page = await s.agent.get('/portal/survey/documents');
    expect(page.text).toContain(`/portal/survey/documents/${row!.id}/delete`);
    const res = await s.agent.post(`/portal/survey/documents/${row!.id}/delete`);
    expect(res.status).toBe(303);
    expect(documentRows(ctx, s.caseId)[0]!.state).toBe('deleted');
    expect(storedFiles(ctx).some((f) => f.includes(row!.storage_key))).toBe(false);
    const other = await studentCase();
    await upload(other.agent, { slot: other.slot, files: [{ content: pdf(), name: 'b.pdf' }] });
    const [theirs] = documentRows(ctx, other.caseId);
    await s.agent.get('/portal/survey/documents');
    expect((await s.agent.post(`/portal/survey/documents/${theirs!.id}/delete`)).status).toBe(404);
    expect((await s.agent.http.get(`/portal/survey/documents/${theirs!.id}/thumbnail`)).status).toBe(404);
  });
});

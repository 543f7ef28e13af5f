import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createLocalDocumentStore, readAll } from '../../src/features/survey/documents/store.js';
import { type TestAgent, csrfTokenOf } from '../support/agent.js';
import { type TestContext } from '../support/app.js';

/** A small but real PDF: what file-type recognises by its `%PDF-` header. */
export function pdf(text = 'survey test'): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** A JPEG a phone would send: EXIF with a GPS position, taken sideways (orientation 6). */
export async function phoneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 80, height: 40, channels: 3, background: { r: 200, g: 180, b: 160 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'X1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 2241/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 46/1 1/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** The EXIF pointer to the GPS block (tag 0x8825), in either byte order. */
export function hasGpsPointer(exif: Buffer | undefined): boolean {
  return exif !== undefined && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));
}

export async function gif(): Promise<Buffer> {
  return sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).gif().toBuffer();
}

/** An ELF header: a program, whatever its name says. */
export function program(): Buffer {
  const b = Buffer.alloc(8192, 0);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(b);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // x86-64
  return b;
}

export interface Upload {
  slot: string;
  files: { content: Buffer; name: string }[];
}

/** Posts the multipart upload form as the documents page's form does (token in the action URL). */
export async function upload(agent: TestAgent, u: Upload, token = csrfTokenOf(agent.lastPage)) {
  let req = agent.http.post(`/portal/survey/documents?_csrf=${encodeURIComponent(token)}`).field('slot', u.slot);
  for (const f of u.files) req = req.attach('file', f.content, f.name);
  return req;
}

export function documentsDir(ctx: TestContext): string {
  return path.join(ctx.deps.config.dataDir, 'documents');
}

/** Every file under DATA_DIR/documents (tmp included). */
export function storedFiles(ctx: TestContext): string[] {
  const dir = documentsDir(ctx);
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

export function documentRows(ctx: TestContext, caseId?: number) {
  return ctx.db
    .prepare(`SELECT id, dependent_id, kind, media_type, size, sha256, storage_key, state, original_name, has_thumbnail FROM survey_documents ${caseId ? 'WHERE case_id = ?' : ''} ORDER BY id`)
    .all(...(caseId ? [caseId] : [])) as { id: number; dependent_id: number; kind: string; media_type: string; size: number; sha256: string; storage_key: string; state: string; original_name: string; has_thumbnail: number }[];
}

/** Reads a stored document back through the store (decrypting it). */
export async function storedContent(ctx: TestContext, key: string): Promise<Buffer> {
  const store = createLocalDocumentStore({ dir: documentsDir(ctx), keyBase64: ctx.deps.config.documentKey });
  return readAll(store.get(key));
}

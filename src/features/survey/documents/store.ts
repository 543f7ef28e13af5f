import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where uploaded documents live: never in the database. A deployment of several machines puts
 * an object store behind the same three calls; the embedded default keeps them on local disk.
 */
export interface DocumentStore {
  /** Stores the content under `key`; on any error nothing is left under the key or elsewhere. */
  put(key: string, content: AsyncIterable<Uint8Array> | Readable): Promise<void>;
  /** The content as stored; the stream errors if the file was altered. */
  get(key: string): Readable;
  /** Removes the content; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-]{16,64}(?:\.thumb)?$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A random storage key: never derived from the file's own name. */
export function newStorageKey(): string {
  return crypto.randomBytes(18).toString('base64url');
}

/**
 * DATA_DIR/documents/<2 chars>/<key>, each file AES-256-GCM encrypted under DOCUMENT_KEY as
 * IV (12 bytes) | ciphertext | tag (16 bytes), with the key name as additional data so two
 * files cannot be swapped unnoticed. A file is written under tmp/ and renamed into place only
 * when complete (and flushed), so a cut upload or a crash never leaves a partial document.
 */
export function createLocalDocumentStore(o: { dir: string; keyBase64: string }): DocumentStore {
  const key = Buffer.from(o.keyBase64, 'base64');
  if (key.length !== 32) throw new Error('DOCUMENT_KEY must be 32 bytes');
  const tmpDir = path.join(o.dir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  // Whatever a crash left half-written is worthless: nobody refers to a tmp file. Only files
  // older than an hour go: another process on the same folder (the server while a command
  // such as `portal survey purge` runs) may be writing one right now.
  const staleBefore = Date.now() - 60 * 60 * 1000;
  for (const f of fs.readdirSync(tmpDir)) {
    const file = path.join(tmpDir, f);
    try {
      if (fs.statSync(file).mtimeMs < staleBefore) fs.rmSync(file, { force: true });
    } catch {
      // Renamed into place or removed meanwhile.
    }
  }

  const fileOf = (k: string) => {
    if (!KEY.test(k)) throw new Error('bad storage key');
    return path.join(o.dir, k.slice(0, 2), k);
  };

  return {
    async put(k, content) {
      const final = fileOf(k);
      const tmp = path.join(tmpDir, `${crypto.randomBytes(12).toString('hex')}.part`);
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(k));
      try {
        const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
        out.write(iv);
        await pipeline(content, cipher, out);
        const handle = await fs.promises.open(tmp, 'a');
        try {
          await handle.write(cipher.getAuthTag());
          await handle.datasync();
        } finally {
          await handle.close();
        }
        await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
        await fs.promises.rename(tmp, final);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
    },

    get(k) {
      const file = fileOf(k);
      async function* decrypted() {
        const handle = await fs.promises.open(file, 'r');
        try {
          const { size } = await handle.stat();
          if (size < IV_BYTES + TAG_BYTES) throw new Error('stored document is truncated');
          const iv = Buffer.alloc(IV_BYTES);
          const tag = Buffer.alloc(TAG_BYTES);
          await handle.read(iv, 0, IV_BYTES, 0);
          await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
          const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAAD(Buffer.from(k));
          decipher.setAuthTag(tag);
          const body = handle.createReadStream({ start: IV_BYTES, end: size - TAG_BYTES - 1, autoClose: false });
          // GCM checks the tag at the end: an altered file makes the stream fail there.
          for await (const chunk of body.pipe(decipher)) yield chunk as Buffer;
        } finally {
          await handle.close();
        }
      }
      return Readable.from(decrypted(), { objectMode: false });
    },

    async delete(k) {
      await fs.promises.rm(fileOf(k), { force: true });
    },
  };
}

/** Reads a whole stored document (thumbnails, tests). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

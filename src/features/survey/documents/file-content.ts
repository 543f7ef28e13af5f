import crypto from 'node:crypto';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';

/** What a file is, judged by its first bytes (never by its name). */
export const ACCEPTED_TYPES = new Set(['image/jpeg', 'image/png', 'application/pdf']);
/** file-type needs at most this many bytes to decide. */
export const HEAD_BYTES = 4100;

export async function sniffType(head: Buffer): Promise<string | undefined> {
  return (await fileTypeFromBuffer(head))?.mime;
}

/** Why a type is refused, in the member's words. */
export function refusedTypeMessage(mime: string | undefined): string {
  if (mime === 'image/gif') return 'GIF画像は受け付けていません。JPEG・PNGの写真か、PDFで提出してください。';
  if (mime === 'image/heic' || mime === 'image/heif') return 'HEIC形式の写真は受け付けていません。カメラの設定で「互換性優先」（JPEG）にして撮り直してください。';
  return 'JPEG・PNGの画像かPDFのファイルではありません（ファイル名ではなく中身で判断しています）。書類を撮影した写真かPDFを選んでください。';
}

/**
 * Reads up to `n` bytes from the start of `s` without consuming more than needed and without
 * destroying it (busboy's file stream must be drained, never destroyed, or the form stalls).
 * Returns the head and a stream of the whole content (head included).
 */
export async function takeHead(s: Readable, n: number): Promise<{ head: Buffer; whole: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  s.once('end', () => (ended = true));
  while (length < n && !ended) {
    const chunk = s.read() as Buffer | null;
    if (chunk === null) {
      if (s.readableEnded) break;
      await Promise.race([once(s, 'readable'), once(s, 'end')]);
      continue;
    }
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  if (ended || s.readableEnded) return { head, whole: Readable.from(head.length > 0 ? [head] : []) };
  s.unshift(head);
  return { head, whole: s };
}

/** Passes bytes through while counting them and hashing them (SHA-256 of what is stored). */
export function measuring(): Transform & { result(): { size: number; sha256: string } } {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return Object.assign(t, { result: () => ({ size, sha256: hash.digest('hex') }) });
}

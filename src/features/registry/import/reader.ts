import iconv from 'iconv-lite';
import { CsvFileError, LineSplitter, type RecordSink } from './csv.js';

/**
 * Reads a registry CSV as a stream of records: detects the encoding, decodes chunk by chunk
 * (a character split between two chunks is carried over) and hands the text to the CSV
 * splitter (csv.ts). Memory stays at about one chunk whatever the size of the file.
 */

export type RegistryEncoding = 'UTF-8' | 'Shift_JIS';

export interface ReaderSink extends RecordSink {
  /** Wraps the work of each chunk (the service writes a chunk's bad rows in one transaction). */
  chunk?(work: () => void): void;
  /** Awaited after each chunk, with the bytes read so far (progress, flow control). */
  afterChunk?(bytesRead: number): Promise<void> | void;
}

/**
 * The encoding is decided on this much of the file: every valid row holds kana, so Shift_JIS
 * shows at once. Bytes that are not UTF-8 after it make the file unreadable, not Shift_JIS.
 */
const DETECT_BYTES = 64 * 1024;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * BOM → UTF-8; otherwise UTF-8 when the bytes decode strictly (a sequence cut off at the end
 * of `head` is not an error while more bytes follow); otherwise CP932, the Windows form of
 * Shift_JIS that Excel writes (it has ①, ㈱ and the NEC/IBM kanji plain Shift_JIS lacks).
 */
export function detectEncoding(head: Uint8Array, atEnd: boolean): RegistryEncoding {
  if (UTF8_BOM.every((b, i) => head[i] === b)) return 'UTF-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !atEnd });
    return 'UTF-8';
  } catch {
    return 'Shift_JIS';
  }
}

interface ChunkDecoder {
  write(chunk: Uint8Array): string;
  end(): string;
}

function decoderFor(encoding: RegistryEncoding): ChunkDecoder {
  if (encoding === 'Shift_JIS') {
    const d = iconv.getDecoder('cp932');
    return { write: (c) => d.write(Buffer.from(c.buffer, c.byteOffset, c.byteLength)), end: () => d.end() ?? '' };
  }
  // fatal: a file that starts as UTF-8 and then holds other bytes is refused, not mangled.
  // The decoder drops a leading BOM itself.
  const d = new TextDecoder('utf-8', { fatal: true });
  return { write: (c) => d.decode(c, { stream: true }), end: () => d.decode() };
}

/** Streams `input` into `sink`; returns the encoding used. Throws CsvFileError. */
export async function readCsvRecords(input: AsyncIterable<Uint8Array>, sink: ReaderSink): Promise<RegistryEncoding> {
  const lines = new LineSplitter(sink);
  let encoding: RegistryEncoding | undefined;
  let decoder: ChunkDecoder | undefined;
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let bytesRead = 0;

  const inChunk = sink.chunk ?? ((work: () => void) => work());
  const feed = (chunk: Uint8Array) => {
    let text: string;
    try {
      text = decoder!.write(chunk);
    } catch {
      throw new CsvFileError(lines.line + 1 + firstBadUtf8Line(chunk), notUtf8Message);
    }
    inChunk(() => lines.push(text));
  };

  for await (const chunk of input) {
    bytesRead += chunk.byteLength;
    if (decoder) {
      feed(chunk);
    } else {
      head.push(chunk);
      headBytes += chunk.byteLength;
      if (headBytes >= DETECT_BYTES) {
        const all = Buffer.concat(head);
        encoding = detectEncoding(all.subarray(0, DETECT_BYTES), false);
        decoder = decoderFor(encoding);
        head = [];
        feed(all);
      }
    }
    await sink.afterChunk?.(bytesRead);
  }
  if (!decoder) {
    const all = Buffer.concat(head);
    encoding = detectEncoding(all, true);
    decoder = decoderFor(encoding);
    feed(all);
  }
  let rest: string;
  try {
    rest = decoder.end();
  } catch {
    throw new CsvFileError(lines.line + 1, notUtf8Message);
  }
  inChunk(() => {
    lines.push(rest);
    lines.end();
  });
  return encoding!;
}

const notUtf8Message = 'UTF-8として読めないバイトがあります（途中から文字コードが変わっていませんか。UTF-8かShift_JISで保存し直してください）';

/** Lines before the first undecodable byte of `chunk` (for the error's line number). */
function firstBadUtf8Line(chunk: Uint8Array): number {
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  const bad = text.indexOf('\ufffd');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && (bad === -1 || i < bad); i = text.indexOf('\n', i + 1)) n++;
  return n;
}

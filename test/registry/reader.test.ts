import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvFileError, INCOMPLETE, splitCsvLine } from '../../src/features/registry/import/csv.js';
import { detectEncoding, readCsvRecords } from '../../src/features/registry/import/reader.js';

/** Every record with its line, and every malformed line, as the reader reports them. */
async function read(chunks: Uint8Array[]) {
  const seen: string[] = [];
  const encoding = await readCsvRecords(
    (async function* () {
      yield* chunks;
    })(),
    {
      record: (fields, line) => void seen.push(`${line}: ${JSON.stringify(fields)}`),
      malformed: (line, reason) => void seen.push(`${line}: malformed ${reason}`),
    },
  );
  return { encoding, seen };
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

const TEXT =
  'insurer_code,symbol,number,birth_date,name,name_kana,email,status\r\n' +
  'ungkenpo,1001,1,1985-04-01,"健保, 祥子",ケンポ ショウコ,,active\r\n' +
  '\r\n' +
  'ungkenpo,1001,2,1990-12-24,"保険\r\n""太郎""",ホケン タロウ,,\r\n' +
  'ungkenpo,1001,3,1962-07-15,都築 "花子",ツヅキ ハナコ,,active\r\n' +
  'ungkenpo,1001,4,1962-07-15,髙橋 ①子,タカハシ イチコ,,active';

const EXPECTED = [
  '1: ["insurer_code","symbol","number","birth_date","name","name_kana","email","status"]',
  '2: ["ungkenpo","1001","1","1985-04-01","健保, 祥子","ケンポ ショウコ","","active"]',
  '4: ["ungkenpo","1001","2","1990-12-24","保険\\n\\"太郎\\"","ホケン タロウ","",""]',
  '6: malformed 5列目: 引用符（"）は値全体を囲むときだけ使えます（値の中の " は、値を "…" で囲んで "" と書いてください）',
  '7: ["ungkenpo","1001","4","1962-07-15","髙橋 ①子","タカハシ イチコ","","active"]',
];

describe('reading a registry CSV', () => {
  it('gives the same records and line numbers however a UTF-8 file (with BOM) is cut into chunks', async () => {
    const bytes = Buffer.from('\ufeff' + TEXT, 'utf8');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (offsets) => {
        const { encoding, seen } = await read(cut(bytes, offsets));
        expect(encoding).toBe('UTF-8');
        expect(seen).toEqual(EXPECTED);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same records however a Shift_JIS file is cut, even between the two bytes of a character', async () => {
    const bytes = iconv.encode(TEXT, 'cp932');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (offsets) => {
        const { encoding, seen } = await read(cut(bytes, offsets));
        expect(encoding).toBe('Shift_JIS');
        expect(seen).toEqual(EXPECTED);
      }),
      { numRuns: 200 },
    );
  });

  it('decides the encoding from the first 64 KiB even when they arrive one byte at a time', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `ungkenpo,1,${i},1985-04-01,健保 祥子,ケンポ ショウコ,,active`).join('\n');
    const bytes = iconv.encode(rows, 'cp932');
    const chunks = Array.from({ length: 70_000 }, (_, i) => bytes.subarray(i, i + 1)).concat([bytes.subarray(70_000)]);
    const { encoding, seen } = await read(chunks);
    expect(encoding).toBe('Shift_JIS');
    expect(seen).toHaveLength(2000);
    expect(seen[1999]).toContain('ケンポ ショウコ');
  });

  it('detects the encoding: a BOM means UTF-8, strict UTF-8 means UTF-8, anything else is CP932', () => {
    const utf8 = Buffer.from('ケンポ', 'utf8');
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x82, 0xa0]), true)).toBe('UTF-8');
    expect(detectEncoding(utf8, true)).toBe('UTF-8');
    expect(detectEncoding(iconv.encode('ケンポ', 'cp932'), true)).toBe('Shift_JIS');
    // A character cut off by the end of the sample is not a reason to give up on UTF-8 …
    expect(detectEncoding(utf8.subarray(0, 4), false)).toBe('UTF-8');
    // … but at the end of the file it is.
    expect(detectEncoding(utf8.subarray(0, 4), true)).toBe('Shift_JIS');
  });

  it('stops at a quote that is never closed, naming the line where it opens', async () => {
    const error = await read([Buffer.from('a,b\n"open,c\nd,e\n')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvFileError);
    expect((error as CsvFileError).line).toBe(2);
  });
});

describe('splitting one CSV record that holds quotes', () => {
  it('follows RFC 4180', () => {
    expect(splitCsvLine('"a,b","c""d",e,')).toEqual(['a,b', 'c"d', 'e', '']);
    expect(splitCsvLine('"",""""')).toEqual(['', '"']);
    expect(splitCsvLine('"a\nb",c')).toEqual(['a\nb', 'c']);
    expect(splitCsvLine('"a,b')).toBe(INCOMPLETE);
    expect(splitCsvLine('a"b,c')).toEqual({ problem: expect.stringContaining('1列目') });
    expect(splitCsvLine('x,"a"b')).toEqual({ problem: expect.stringContaining('2列目') });
  });
});

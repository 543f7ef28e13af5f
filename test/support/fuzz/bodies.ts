import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Hostile form bodies for the fuzz tests. A body is built as raw
 * `application/x-www-form-urlencoded` text, so it can carry what no browser
 * sends: repeated keys (→ arrays), `a[b]=c` keys, invalid UTF-8 percent-escapes,
 * unencoded separators, 1 MB values and more parameters than the parser allows.
 */

/** A tag name no page of the portal contains: seeing `<zq7` in a page means a value went out unescaped. */
export const PROBE = 'zq7';

/** Values a careful attacker or a careless keyboard would send. */
export const HOSTILE_VALUES: readonly string[] = [
  '<script>x</script>',
  `"><${PROBE}>`,
  `'><${PROBE} onerror=alert(1)>`,
  `" onfocus=${PROBE} x="`,
  `' onfocus=${PROBE} x='`,
  `</textarea></select><${PROBE}>`,
  `javascript:${PROBE}()`,
  `{{ 7*7 }}${PROBE}`,
  `{% raw %}{{ 7*7 }}${PROBE}`,
  '${7*7}',
  '=HYPERLINK("http://evil.example","x")',
  "=cmd|' /C calc'!A0",
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  "' OR '1'='1",
  "'; DROP TABLE accounts; --",
  '" OR ""="',
  '1; SELECT * FROM staff --',
  "\\'; --",
  '%',
  '%00',
  '\u0000',
  '\r\n\r\nX-Injected: 1',
  '\u0007\u001b[31mred',
  '\u202eevil\u202c',
  '\ufeff1001',
  '\u200b',
  'ｹﾝﾎﾟ　ｼｮｳｺ',
  'けんぽ　しょうこ',
  'ケンポ・ショウコ',
  'ｹﾝﾎﾟｼｮｳｺ ケンポ けんぽ',
  'ヴァイオレット',
  'ゝゞヽヾ',
  'ﾞﾟ゛゜',
  '健保 祥子',
  '👨‍👩‍👧‍👦',
  '🇯🇵💴',
  '𠮷野家',
  'Z̸̡̢͖̈́a̷̧̯̓l̸͓̈g̶̝͑o̵̝͐',
  '０１２３４５６',
  '１００１',
  '‐－ー―−',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '0x10',
  '9007199254740993',
  '99999999999999999999',
  '2024-02-30',
  '1985-04-01',
  '   ',
  '',
  'あ'.repeat(1000),
  'A'.repeat(5000),
  'Kenpo#2026x',
  'password1!',
  'a@b.c',
  '_ab..cd---@example.co.jp',
  'member@example.com',
  `"><${PROBE}>@example.com`,
  '000000',
  '123456',
  '１２３４５６',
  '123-456',
  'ungkenpo',
  'UNGKENPO',
  '1001',
  '1985',
  '4',
  '31',
  '1',
  'on',
];

/** Invalid or odd percent-escapes spliced into an encoded value. */
const BROKEN_ESCAPES = ['%', '%Z1', '%E3%81', '%C0%AF', '%FF%FE', '%ED%A0%80', '%F4%90%80%80', '%25', '%2', '%%41', '%u3042'];

const value: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_VALUES), weight: 6 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), weight: 2 },
  {
    // Two hostile pieces glued together, e.g. kana + markup.
    arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_VALUES), fc.constantFrom(...HOSTILE_VALUES)).map(([a, b]) => a + b),
    weight: 2,
  },
);

type Encoding = 'proper' | 'plus' | 'raw' | 'broken';

/** Percent-encodes every byte of the UTF-8 form except unreserved characters. */
function encodeBytes(s: string, plus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (plus && c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function encode(s: string, how: Encoding, brokenAt: number, broken: string): string {
  switch (how) {
    case 'proper':
      return encodeBytes(s, false);
    case 'plus':
      return encodeBytes(s, true);
    case 'raw':
      return s; // sent as typed: `&`, `=` and `%` break the structure on purpose
    case 'broken': {
      const enc = encodeBytes(s, false);
      const at = enc.length === 0 ? 0 : brokenAt % (enc.length + 1);
      return enc.slice(0, at) + broken + enc.slice(at);
    }
  }
}

/** How a field's key is written: plain, repeated (array), bracketed (object-like) or replaced. */
type KeyShape = 'plain' | 'repeat' | 'brackets' | 'nested' | 'proto' | 'other';

const keyShape: fc.Arbitrary<KeyShape> = fc.oneof(
  { arbitrary: fc.constant<KeyShape>('plain'), weight: 10 },
  { arbitrary: fc.constant<KeyShape>('repeat'), weight: 2 },
  { arbitrary: fc.constant<KeyShape>('brackets'), weight: 1 },
  { arbitrary: fc.constant<KeyShape>('nested'), weight: 1 },
  { arbitrary: fc.constant<KeyShape>('proto'), weight: 1 },
  { arbitrary: fc.constant<KeyShape>('other'), weight: 1 },
);

const fieldPart = fc.record({
  shape: keyShape,
  values: fc.array(value, { minLength: 1, maxLength: 3 }),
  encoding: fc.constantFrom<Encoding>('proper', 'proper', 'proper', 'plus', 'raw', 'broken'),
  brokenAt: fc.nat(),
  broken: fc.constantFrom(...BROKEN_ESCAPES),
  omit: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  otherKey: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
});

function pairsFor(field: string, p: FieldPart): string[] {
  if (p.omit) return [];
  const enc = (v: string) => encode(v, p.encoding, p.brokenAt, p.broken);
  const first = p.values[0]!;
  switch (p.shape) {
    case 'plain':
      return [`${field}=${enc(first)}`];
    case 'repeat':
      return p.values.concat(p.values.length === 1 ? [first] : []).map((v) => `${field}=${enc(v)}`);
    case 'brackets':
      return [`${field}[]=${enc(first)}`];
    case 'nested':
      return [`${field}[a]=${enc(first)}`, `${field}[b][c]=${enc(p.values.at(-1)!)}`];
    case 'proto':
      return [`__proto__[${field}]=${enc(first)}`, `constructor[prototype][${field}]=${enc(first)}`, `${field}=${enc(first)}`];
    case 'other':
      return [`${encodeBytes(p.otherKey, false)}=${enc(first)}`];
  }
}

interface FieldPart {
  shape: KeyShape;
  values: string[];
  encoding: Encoding;
  brokenAt: number;
  broken: string;
  omit: boolean;
  otherKey: string;
}

/** What the fuzzer sends: the body text, and the header variations around it. */
export interface FuzzBody {
  body: string;
  contentType: string;
  /** The decoded values carried, for the escaping check. */
  values: string[];
  /** True when the body is bigger than the parser takes (a 413 is the right answer). */
  oversized: boolean;
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=shift_jis',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=zz',
];

/**
 * A form body for the given field names: every field in some hostile shape,
 * plus the CSRF token (so the request reaches the handler) unless `csrfToken`
 * is undefined. Now and then: a 1 MB value, 150 parameters, another content type.
 */
export function formBody(fields: readonly string[], csrfToken: () => string): fc.Arbitrary<FuzzBody> {
  return fc
    .record({
      parts: fc.array(fieldPart, { minLength: fields.length, maxLength: fields.length }),
      extra: fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 10 }), value), { maxLength: 2 }),
      order: fc.array(fc.nat(), { minLength: fields.length + 3, maxLength: fields.length + 3 }),
      special: fc.oneof(
        { arbitrary: fc.constant('none' as const), weight: 120 },
        { arbitrary: fc.constant('huge' as const), weight: 1 },
        { arbitrary: fc.constant('many' as const), weight: 1 },
        { arbitrary: fc.constant('contentType' as const), weight: 2 },
        { arbitrary: fc.constant('separators' as const), weight: 2 },
      ),
      contentType: fc.constantFrom(...CONTENT_TYPES),
    })
    .map(({ parts, extra, order, special, contentType }) => {
      const pairs: string[] = [];
      const values: string[] = [];
      fields.forEach((field, i) => {
        const p = parts[i]!;
        pairs.push(...pairsFor(field, p));
        if (!p.omit) values.push(...p.values);
      });
      for (const [k, v] of extra) {
        pairs.push(`${encodeBytes(k, false)}=${encodeBytes(v, false)}`);
        values.push(v);
      }
      // A shuffle driven by the generated numbers, so a failure replays exactly.
      const shuffled = pairs
        .map((p, i) => ({ p, k: order[i % order.length]! + i / 1000 }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.p);
      let oversized = false;
      if (special === 'huge') {
        shuffled.push(`${fields[0] ?? 'x'}=${'%3C'.repeat(10) + 'a'.repeat(1024 * 1024)}`);
        oversized = true;
      } else if (special === 'many') {
        for (let i = 0; i < 150; i++) shuffled.push(`p${i}=${i}`);
        oversized = true;
      }
      const token = `_csrf=${encodeURIComponent(csrfToken())}`;
      const joined = special === 'separators' ? shuffled.join('&&;&') : shuffled.join('&');
      return {
        body: `${token}&${joined}`,
        contentType: special === 'contentType' ? contentType : 'application/x-www-form-urlencoded',
        values,
        oversized,
      };
    });
}

/** A query string of hostile values for the given parameter names (GET pages). */
export function queryString(params: readonly string[]): fc.Arbitrary<{ query: string; values: string[] }> {
  return fc.array(fieldPart, { minLength: params.length, maxLength: params.length }).map((parts) => {
    const pairs: string[] = [];
    const values: string[] = [];
    params.forEach((name, i) => {
      const p = parts[i]!;
      // Raw values in a URL would be rejected by the HTTP client, not the server: encode them.
      const safe = { ...p, encoding: p.encoding === 'raw' ? ('proper' as const) : p.encoding };
      pairs.push(...pairsFor(name, safe));
      if (!p.omit) values.push(...p.values);
    });
    return { query: pairs.join('&'), values };
  });
}

/** A path segment: hostile values, percent-encoded (sometimes brokenly). */
export const pathSegment: fc.Arbitrary<string> = fc
  .tuple(value, fc.constantFrom<Encoding>('proper', 'broken'), fc.nat(), fc.constantFrom(...BROKEN_ESCAPES))
  .map(([v, how, at, broken]) => encode(v, how, at, broken) || 'x');

export interface CheckedResponse {
  status: number;
  text?: string;
  type?: string;
  headers: Record<string, unknown>;
}

/**
 * What must hold for every answer: no 5xx, no posted markup rendered as markup,
 * no template evaluated, and every redirect a path of this site.
 */
export function expectSafeResponse(res: CheckedResponse, sent: { values: string[]; oversized?: boolean }, label: string): void {
  expect(res.status, `${label}: status`).toBeLessThan(500);
  if (sent.oversized) expect([403, 413], `${label}: an oversized body`).toContain(res.status);
  const text = typeof res.text === 'string' ? res.text : '';
  if (res.type === 'text/csv') {
    // A spreadsheet runs a cell that starts with = + - @ as a formula: every such cell is defused.
    for (const cell of csvCells(text)) {
      expect(/^[=+\-@\t\r]/.test(cell), `${label}: CSV cell ${JSON.stringify(cell.slice(0, 40))} would run as a formula`).toBe(false);
    }
  }
  const html = res.type === 'text/html' ? text : '';
  if (html !== '') {
    const lower = html.toLowerCase();
    expect(lower.includes(`<${PROBE}`), `${label}: a posted tag came back unescaped`).toBe(false);
    expect(html.includes('<script>x</script>'), `${label}: a posted <script> came back unescaped`).toBe(false);
    expect(/["'] onfocus=zq7/.test(html), `${label}: a posted attribute came back unescaped`).toBe(false);
    expect(html.includes(`49${PROBE}`), `${label}: a posted value was evaluated as a template`).toBe(false);
    expect(html.includes('システムエラーが発生しました'), `${label}: the internal error page`).toBe(false);
  }
  const location = res.headers.location;
  if (typeof location === 'string') {
    expect(location.startsWith('/') && !location.startsWith('//') && !location.includes('\\'), `${label}: redirect to ${location}`).toBe(true);
  }
}

/** The cells of an RFC 4180 CSV text (quoted cells unquoted). */
export function csvCells(csv: string): string[] {
  const cells: string[] = [];
  let i = csv.startsWith('\uFEFF') ? 1 : 0;
  while (i < csv.length) {
    let cell = '';
    if (csv[i] === '"') {
      i += 1;
      for (;;) {
        const q = csv.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted CSV cell');
        cell += csv.slice(i, q);
        if (csv[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const end = csv.slice(i).search(/[,\r\n]/);
      cell = end < 0 ? csv.slice(i) : csv.slice(i, i + end);
      i = end < 0 ? csv.length : i + end;
    }
    cells.push(cell);
    if (csv[i] === ',') i += 1;
    else while (csv[i] === '\r' || csv[i] === '\n') i += 1;
  }
  return cells;
}

/** Total generated requests per run (CI default 10,000, split by the fuzz files). */
export function fuzzBudget(): number {
  const raw = process.env.FUZZ_REQUESTS;
  const n = raw === undefined || raw === '' ? 10_000 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_REQUESTS must be a positive integer, got ${raw}`);
  return n;
}

/** The member side's share of the budget; the staff side takes the rest. */
export const MEMBER_SHARE = 0.6;

/** Splits `total` over targets by weight, at least one request each (so tiny budgets round up). */
export function splitBudget<T extends { weight: number }>(total: number, targets: readonly T[]): number[] {
  const sum = targets.reduce((s, t) => s + t.weight, 0);
  const runs = targets.map((t) => Math.max(1, Math.floor((total * t.weight) / sum)));
  let rest = total - runs.reduce((s, n) => s + n, 0);
  for (let i = 0; rest > 0; i = (i + 1) % runs.length, rest--) runs[i]! += 1;
  return runs;
}

/** FUZZ_SEED replays a failing run (fast-check prints the seed of a failure). */
export function fuzzSeed(): number | undefined {
  const raw = process.env.FUZZ_SEED;
  return raw ? Number(raw) : undefined;
}

import fs from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/**
 * Generated registry members for the benchmarks. Member `i` (0-based) is a pure function of
 * `i`, so a benchmark can pick a member to sign up as without reading the CSV back.
 */

const FAMILY: [string, string][] = [
  ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'], ['山田', 'ヤマダ'], ['佐々木', 'ササキ'], ['山口', 'ヤマグチ'], ['松本', 'マツモト'],
  ['井上', 'イノウエ'], ['木村', 'キムラ'], ['林', 'ハヤシ'], ['斎藤', 'サイトウ'], ['清水', 'シミズ'],
  ['山崎', 'ヤマザキ'], ['森', 'モリ'], ['池田', 'イケダ'], ['橋本', 'ハシモト'], ['阿部', 'アベ'],
  ['石川', 'イシカワ'], ['山下', 'ヤマシタ'], ['中島', 'ナカジマ'], ['石井', 'イシイ'], ['小川', 'オガワ'],
  ['前田', 'マエダ'], ['岡田', 'オカダ'], ['長谷川', 'ハセガワ'], ['藤田', 'フジタ'], ['後藤', 'ゴトウ'],
  ['近藤', 'コンドウ'], ['村上', 'ムラカミ'], ['遠藤', 'エンドウ'], ['青木', 'アオキ'], ['都築', 'ツヅキ'],
];

const GIVEN: [string, string][] = [
  ['翔太', 'ショウタ'], ['大輔', 'ダイスケ'], ['健一', 'ケンイチ'], ['拓也', 'タクヤ'], ['直樹', 'ナオキ'],
  ['雄一', 'ユウイチ'], ['蓮', 'レン'], ['陽翔', 'ハルト'], ['悠真', 'ユウマ'], ['湊', 'ミナト'],
  ['美咲', 'ミサキ'], ['陽菜', 'ヒナ'], ['結衣', 'ユイ'], ['さくら', 'サクラ'], ['葵', 'アオイ'],
  ['祥子', 'ショウコ'], ['恵子', 'ケイコ'], ['由美', 'ユミ'], ['真由美', 'マユミ'], ['久美子', 'クミコ'],
  ['花子', 'ハナコ'], ['太郎', 'タロウ'], ['次郎', 'ジロウ'], ['純一', 'ジュンイチ'], ['亮', 'リョウ'],
  ['智子', 'トモコ'], ['裕子', 'ユウコ'], ['千尋', 'チヒロ'], ['優奈', 'ユウナ'], ['莉子', 'リコ'],
];

export interface GeneratedMember {
  symbol: string;
  number: string;
  birthDate: string;
  name: string;
  nameKana: string;
  email: string;
  status: 'active' | 'lost';
}

/** 32-bit integer hash (a step of splitmix32): varied values without keeping any state. */
function mix(i: number, salt: number): number {
  let x = (i * 0x9e3779b9 + salt) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Members per 記号: a company's branch office has a few thousand insured people. */
const PER_SYMBOL = 2000;

export function memberAt(i: number): GeneratedMember {
  const family = FAMILY[mix(i, 1) % FAMILY.length]!;
  const given = GIVEN[mix(i, 2) % GIVEN.length]!;
  const year = 1950 + (mix(i, 3) % 56);
  const month = 1 + (mix(i, 4) % 12);
  const day = 1 + (mix(i, 5) % 28);
  const hasEmail = mix(i, 6) % 10 < 3;
  return {
    symbol: String(1000 + Math.floor(i / PER_SYMBOL)),
    number: String((i % PER_SYMBOL) + 1),
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    name: `${family[0]} ${given[0]}`,
    nameKana: `${family[1]} ${given[1]}`,
    email: hasEmail ? `member${i}@example.co.jp` : '',
    status: mix(i, 7) % 50 === 0 ? 'lost' : 'active',
  };
}

export const CSV_HEADER = 'insurer_code,symbol,number,birth_date,name,name_kana,email,status';

function csvLine(insurerCode: string, m: GeneratedMember): string {
  return `${insurerCode},${m.symbol},${m.number},${m.birthDate},${m.name},${m.nameKana},${m.email},${m.status}\n`;
}

/** Writes a registry CSV of `count` members, streaming (memory stays flat for any count). */
export async function writeMembersCsv(file: string, count: number, insurerCode: string): Promise<void> {
  const out = fs.createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  out.write(CSV_HEADER + '\n');
  const batch = 5000;
  for (let start = 0; start < count; start += batch) {
    let chunk = '';
    const end = Math.min(count, start + batch);
    for (let i = start; i < end; i++) chunk += csvLine(insurerCode, memberAt(i));
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await done;
}

// `node dist-bench/bench/generate-members.js FILE COUNT [INSURER_CODE]`
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, count = '1000000', code = 'benchkenpo'] = process.argv.slice(2);
  if (!file || !/^\d+$/.test(count)) {
    console.error('usage: node dist-bench/bench/generate-members.js FILE [COUNT] [INSURER_CODE]');
    process.exit(2);
  }
  await writeMembersCsv(file, Number(count), code);
  console.log(`${file}: ${count} members of ${code}`);
}

import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../src/db/database.js';

/** A registry CSV of `rows` members of insurer `racekenpo` (記号 77), every address at `domain`. */
export function writeRegistry(dir: string, name: string, rows: number, domain: string): string {
  const lines = ['insurer_code,symbol,number,birth_date,name,name_kana,email,status'];
  for (let i = 1; i <= rows; i++) lines.push(`racekenpo,77,${i},1980-01-01,健保 太郎,ケンポ タロウ,m${i}@${domain},active`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** How many of the imported members carry an address at each domain: one domain means one whole import won. */
export function emailDomains(db: Db): { domain: string; n: number }[] {
  return db
    .prepare<[], { domain: string; n: number }>(
      "SELECT substr(email, instr(email, '@') + 1) AS domain, count(*) AS n FROM members WHERE symbol = '77' GROUP BY domain",
    )
    .all();
}

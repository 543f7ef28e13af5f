import fs from 'node:fs';
import path from 'node:path';
import type { RunningPortal } from '../real-server.js';
import { HEADER } from '../registry.js';

export interface RegistryMember {
  symbol: string;
  number: string;
  birthDate: string;
  name: string;
  nameKana: string;
  email?: string;
}

/** The demo society that the development start seeds. */
export const INSURER_CODE = 'ungkenpo';

/** The demo member of src/demo/seed.ts. */
export const DEMO_MEMBER: RegistryMember = { symbol: '1001', number: '1', birthDate: '1985-04-01', name: '健保 祥子', nameKana: 'ケンポ ショウコ' };

let nextNumber = 100;

/**
 * A registry member with the demo member's name and birthdate on a card number of its own:
 * a member signs up once a year, so every journey run that consumes a signup needs its own.
 */
export function memberLikeDemo(): RegistryMember {
  nextNumber += 1;
  return { ...DEMO_MEMBER, symbol: '9001', number: String(nextNumber) };
}

/** Puts members in the registry the way an administrator does: `portal import-members FILE.csv`. */
export async function addMembers(portal: RunningPortal, members: RegistryMember[]): Promise<void> {
  const file = path.join(portal.dataDir, `members-${Date.now()}.csv`);
  const rows = members.map((m) => [INSURER_CODE, m.symbol, m.number, m.birthDate, m.name, m.nameKana, m.email ?? '', 'active'].join(','));
  fs.writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
  const result = await portal.cli(['import-members', file]);
  if (result.code !== 0) throw new Error(`portal import-members failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

import fs from 'node:fs';
import { canonicalInsurerCode } from '../../lib/identifiers.js';
import { createTermsService, TERMS_MAX_CHARS } from '../../features/terms/service.js';
import { findInsurerByCode } from '../../features/registry/insurers.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = 'usage: portal terms publish FILE.md --insurer CODE';

export const termsCommand: Command = {
  run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'publish') throw new UsageError(USAGE);
    const { values, positionals } = parseOptions(rest, { insurer: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError(USAGE);
    const file = positionals[0]!;
    const code = canonicalInsurerCode(requireOption(values.insurer, 'insurer'));
    const insurer = findInsurerByCode(ctx.db, code);
    if (!insurer) throw new UsageError(`no insurer with code "${code}" (portal insurer list)`);
    const text = readTerms(file);
    const { version } = createTermsService(ctx).publish(insurer.id, text);
    ctx.out(`terms version ${version} published for ${insurer.code} (${insurer.name}); members accept it at their next login`);
  },
};

/** The file as UTF-8 (a BOM is dropped); refuses what cannot be a terms text. */
export function readTerms(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${file} is not UTF-8 text`);
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new UsageError(`${file} is empty`);
  if (text.length > TERMS_MAX_CHARS) throw new UsageError(`${file} is longer than ${TERMS_MAX_CHARS} characters`);
  return text;
}

import { z } from 'zod';
import { canonicalInsurerCode, isValidInsurerCode } from '../../lib/identifiers.js';
import { canonicalInsurerNumber, createInsurerAdmin, InsurerAdminError } from '../../features/registry/insurer-admin.js';
import { listInsurersWithNumbers, type InsurerChanges } from '../../features/registry/insurers.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const CONTACTS = '[--call-center-phone TEL] [--call-center-hours TEXT] [--call-center-email ADDR] [--office-phone TEL] [--office-hours TEXT]';
const USAGE =
  `usage: portal insurer add --code CODE --name NAME [--insurer-number NNNNNNNN] ${CONTACTS}\n` +
  `       portal insurer update --code CODE [--name NAME] [--insurer-number NNNNNNNN] ${CONTACTS}\n` +
  '       portal insurer list\n' +
  '  --insurer-number: the 8-digit 保険者番号 on members\' cards, accepted at signup in place of the code ("" removes it)';

const OPTIONS = {
  code: { type: 'string' },
  name: { type: 'string' },
  'insurer-number': { type: 'string' },
  'call-center-phone': { type: 'string' },
  'call-center-hours': { type: 'string' },
  'call-center-email': { type: 'string' },
  'office-phone': { type: 'string' },
  'office-hours': { type: 'string' },
} as const;

export const insurerCommand: Command = {
  run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      const all = listInsurersWithNumbers(ctx.db);
      if (all.length === 0) ctx.out('no insurers yet (portal insurer add --code CODE --name NAME)');
      for (const i of all) ctx.out(`${i.code}\t${i.name}\tTEL ${i.call_center_phone || '-'}${i.insurer_number ? `\t保険者番号 ${i.insurer_number}` : ''}`);
      return;
    }
    if (sub !== 'add' && sub !== 'update') throw new UsageError(USAGE);
    const { values, positionals } = parseOptions(rest, OPTIONS);
    if (positionals.length > 0) throw new UsageError(USAGE);
    const code = canonicalInsurerCode(requireOption(values.code, 'code'));
    if (!isValidInsurerCode(code)) throw new UsageError(`--code "${values.code}" must be 1–20 letters, digits, - or _`);
    const email = values['call-center-email'];
    if (email && !z.email().safeParse(email).success) throw new UsageError(`--call-center-email "${email}" is not an e-mail address`);
    const admin = createInsurerAdmin(ctx);
    try {
      const changes: InsurerChanges = {
        name: sub === 'add' ? requireOption(values.name, 'name').trim() : values.name === undefined ? undefined : requireOption(values.name, 'name').trim(),
        insurer_number: canonicalInsurerNumber(values['insurer-number']),
        call_center_phone: values['call-center-phone']?.trim(),
        call_center_hours: values['call-center-hours']?.trim(),
        call_center_email: email?.trim(),
        office_phone: values['office-phone']?.trim(),
        office_hours: values['office-hours']?.trim(),
      };
      if (sub === 'add') {
        const { insurer, termsVersion } = admin.add({
          code,
          name: changes.name!,
          insurer_number: changes.insurer_number ?? null,
          call_center_phone: changes.call_center_phone ?? '',
          call_center_hours: changes.call_center_hours ?? '',
          call_center_email: changes.call_center_email ?? '',
          office_phone: changes.office_phone ?? '',
          office_hours: changes.office_hours ?? '',
        });
        ctx.out(`insurer added: ${insurer.code} (${insurer.name})`);
        ctx.out(`standard terms published as version ${termsVersion}; publish the society's own with portal terms publish FILE.md --insurer ${insurer.code}`);
        return;
      }
      const given = Object.entries(changes).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (given.length === 0) throw new UsageError(`nothing to change\n${USAGE}`);
      const insurer = admin.update(code, changes);
      ctx.out(`insurer updated: ${insurer.code} (${insurer.name}): ${given.join(', ')}`);
    } catch (e) {
      if (e instanceof InsurerAdminError) throw new UsageError(e.message);
      throw e;
    }
  },
};

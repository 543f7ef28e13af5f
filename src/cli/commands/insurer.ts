import { z } from 'zod';
import { canonicalInsurerCode, isValidInsurerCode } from '../../lib/identifiers.js';
import { findInsurerByCode, insertInsurer, listInsurers } from '../../features/registry/insurers.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE =
  'usage: portal insurer add --code CODE --name NAME [--call-center-phone TEL] [--call-center-hours TEXT] ' +
  '[--call-center-email ADDR] [--office-phone TEL] [--office-hours TEXT]\n       portal insurer list';

export const insurerCommand: Command = {
  run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      const all = listInsurers(ctx.db);
      if (all.length === 0) ctx.out('no insurers yet (portal insurer add --code CODE --name NAME)');
      for (const i of all) ctx.out(`${i.code}\t${i.name}\tTEL ${i.call_center_phone || '-'}`);
      return;
    }
    if (sub !== 'add') throw new UsageError(USAGE);
    const { values } = parseOptions(rest, {
      code: { type: 'string' },
      name: { type: 'string' },
      'call-center-phone': { type: 'string' },
      'call-center-hours': { type: 'string' },
      'call-center-email': { type: 'string' },
      'office-phone': { type: 'string' },
      'office-hours': { type: 'string' },
    });
    const code = canonicalInsurerCode(requireOption(values.code, 'code'));
    if (!isValidInsurerCode(code)) throw new UsageError(`--code "${values.code}" must be 1–20 letters, digits, - or _`);
    const name = requireOption(values.name, 'name').trim();
    const email = values['call-center-email'] ?? '';
    if (email && !z.email().safeParse(email).success) throw new UsageError(`--call-center-email "${email}" is not an e-mail address`);
    if (findInsurerByCode(ctx.db, code)) throw new UsageError(`insurer ${code} already exists`);
    const insurer = insertInsurer(
      ctx.db,
      {
        code,
        name,
        call_center_phone: values['call-center-phone'] ?? '',
        call_center_hours: values['call-center-hours'] ?? '',
        call_center_email: email,
        office_phone: values['office-phone'] ?? '',
        office_hours: values['office-hours'] ?? '',
      },
      ctx.clock.now(),
    );
    ctx.out(`insurer added: ${insurer.code} (${insurer.name})`);
  },
};

import { canonicalInsurerCode } from '../../lib/identifiers.js';
import { closeAccountsForYearlyReset } from '../../features/accounts/yearly-reset.js';
import { findInsurerByCode } from '../../features/registry/insurers.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = 'usage: portal reset-accounts --insurer CODE';

export const resetAccountsCommand: Command = {
  run(args, ctx) {
    const { values, positionals } = parseOptions(args, { insurer: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(USAGE);
    const code = canonicalInsurerCode(requireOption(values.insurer, 'insurer'));
    const insurer = findInsurerByCode(ctx.db, code);
    if (!insurer) throw new UsageError(`no insurer with code "${code}" (portal insurer list)`);
    const closed = closeAccountsForYearlyReset({ ...ctx, accounts: ctx.services.accounts }, insurer);
    ctx.out(
      closed === 0
        ? `no active accounts of ${insurer.code} (${insurer.name}); nothing changed`
        : `closed ${closed} active account${closed === 1 ? '' : 's'} of ${insurer.code} (${insurer.name}); their members sign up again`,
    );
  },
};

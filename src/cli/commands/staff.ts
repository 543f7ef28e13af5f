import { formatDateTime } from '../../lib/time.js';
import { CLI_ACTOR } from '../../features/audit/writer.js';
import { createStaffAccountsService, type StaffRole } from '../../features/staff/team/service.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = [
  'usage: portal staff add --login NAME --role operator|supervisor [--insurer CODE ...]',
  '       portal staff disable --login NAME',
  '       portal staff unlock --login NAME',
  '       portal staff list',
].join('\n');

export const staffCommand: Command = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const accounts = createStaffAccountsService(ctx);

    if (sub === 'list') {
      const all = accounts.list();
      if (all.length === 0) ctx.out('no staff yet (portal staff add --login NAME --role operator|supervisor)');
      for (const s of all) {
        const setup = s.mustChangePassword ? 'initial password' : s.enrolled ? 'ready' : 'authenticator not enrolled';
        const insurers = s.insurers === 'all' ? 'all insurers' : s.insurers.join(',');
        const locked = s.lockedAt ? ` since ${formatDateTime(s.lockedAt)}` : '';
        ctx.out(`${s.loginId}\t${s.role}\t${insurers}\t${s.state}${locked}\t${setup}`);
      }
      return;
    }

    if (sub === 'add') {
      const { values } = parseOptions(rest, {
        login: { type: 'string' },
        role: { type: 'string' },
        insurer: { type: 'string', multiple: true },
      });
      const loginId = requireOption(values.login, 'login').trim();
      const role = requireOption(values.role, 'role');
      if (role !== 'operator' && role !== 'supervisor') throw new UsageError(`--role must be operator or supervisor, not "${role}"`);
      const result = await accounts.addStaff({ loginId, role: role as StaffRole, insurerCodes: values.insurer ?? [] }, CLI_ACTOR);
      if (!result.ok) throw new UsageError(result.problem);
      const scope = values.insurer?.length ? `insurers ${values.insurer.join(', ')}` : 'all insurers';
      ctx.out(`staff added: ${loginId} (${role}, ${scope})`);
      ctx.out(`initial password (shown once, give it to ${loginId} in person): ${result.initialPassword}`);
      ctx.out(`sign in at ${ctx.config.baseUrl}/staff/login — a new password and an authenticator app (TOTP) are set at first sign-in`);
      return;
    }

    if (sub === 'disable' || sub === 'unlock') {
      const { values } = parseOptions(rest, { login: { type: 'string' } });
      const loginId = requireOption(values.login, 'login').trim();
      const result = sub === 'disable' ? accounts.disable(loginId, CLI_ACTOR) : accounts.unlock({ loginId }, CLI_ACTOR);
      if (!result.ok) throw new UsageError(result.problem);
      ctx.out(sub === 'disable' ? `staff disabled: ${result.loginId} (signed out everywhere)` : `staff unlocked: ${result.loginId}`);
      return;
    }

    throw new UsageError(USAGE);
  },
};

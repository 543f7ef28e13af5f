import { formatDateTime } from '../../lib/time.js';
import { CLI_ACTOR } from '../../features/audit/writer.js';
import { createStaffAccountsService, STAFF_ROLES, type StaffRole } from '../../features/staff/team/service.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE = [
  'usage: portal staff add --login NAME --role operator|reviewer|supervisor [--insurer CODE ...] [--reason TEXT]',
  '       portal staff reset-password --login NAME [--reason TEXT]',
  '       portal staff reset-authenticator --login NAME [--reason TEXT]',
  '       portal staff disable|enable|unlock --login NAME [--reason TEXT]',
  '       portal staff list',
].join('\n');

/** What each one-person change prints when it is done. */
const DONE: Record<string, (login: string) => string> = {
  disable: (l) => `staff disabled: ${l} (signed out everywhere)`,
  enable: (l) => `staff enabled: ${l}`,
  unlock: (l) => `staff unlocked: ${l}`,
  'reset-authenticator': (l) => `authenticator reset: ${l} (signed out everywhere; a new authenticator is enrolled at the next sign-in)`,
};

export const staffCommand: Command = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const accounts = createStaffAccountsService(ctx);

    if (sub === 'list') {
      const all = accounts.list();
      if (all.length === 0) ctx.out('no staff yet (portal staff add --login NAME --role operator|reviewer|supervisor)');
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
        reason: { type: 'string' },
      });
      const loginId = requireOption(values.login, 'login').trim();
      const role = requireOption(values.role, 'role');
      if (!(STAFF_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be ${STAFF_ROLES.join(', ')}, not "${role}"`);
      const result = await accounts.addStaff({ loginId, role: role as StaffRole, insurerCodes: values.insurer ?? [] }, CLI_ACTOR, values.reason);
      if (!result.ok) throw new UsageError(result.problem);
      const scope = values.insurer?.length ? `insurers ${values.insurer.join(', ')}` : 'all insurers';
      ctx.out(`staff added: ${loginId} (${role}, ${scope})`);
      ctx.out(`initial password (shown once, give it to ${loginId} in person): ${result.initialPassword}`);
      ctx.out(`sign in at ${ctx.config.baseUrl}/staff/login — a new password and an authenticator app (TOTP) are set at first sign-in`);
      return;
    }

    if (sub === 'reset-password') {
      const { values } = parseOptions(rest, { login: { type: 'string' }, reason: { type: 'string' } });
      const loginId = requireOption(values.login, 'login').trim();
      const result = await accounts.resetPassword({ loginId }, CLI_ACTOR, values.reason);
      if (!result.ok) throw new UsageError(result.problem);
      ctx.out(`password reset: ${result.loginId} (signed out everywhere, any lock lifted)`);
      ctx.out(`initial password (shown once, give it to ${result.loginId} in person): ${result.initialPassword}`);
      ctx.out('a new password is set at the next sign-in');
      return;
    }

    if (sub === 'disable' || sub === 'enable' || sub === 'unlock' || sub === 'reset-authenticator') {
      const { values } = parseOptions(rest, { login: { type: 'string' }, reason: { type: 'string' } });
      const target = { loginId: requireOption(values.login, 'login').trim() };
      const run = {
        disable: accounts.disable,
        enable: accounts.enable,
        unlock: accounts.unlock,
        'reset-authenticator': accounts.resetAuthenticator,
      }[sub];
      const result = run(target, CLI_ACTOR, values.reason);
      if (!result.ok) throw new UsageError(result.problem);
      ctx.out(DONE[sub]!(result.loginId));
      return;
    }

    throw new UsageError(USAGE);
  },
};

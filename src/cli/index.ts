import { ConfigError } from '../config.js';
import { openCliContext, UsageError, type CliContext } from './context.js';
import { backupCommand } from './commands/backup.js';
import { importMembersCommand } from './commands/import-members.js';
import { insurerCommand } from './commands/insurer.js';
import { migrateCommand } from './commands/migrate.js';
import { seedDemoCommand } from './commands/seed-demo.js';
import { noticeCommand } from './commands/notice.js';
import { resetAccountsCommand } from './commands/reset-accounts.js';
import { termsCommand } from './commands/terms.js';
import { staffCommand } from './commands/staff.js';
import { auditCommand } from './commands/audit.js';

/** A command receives its own arguments (after the command name) and the context. */
export type Command = {
  summary: string;
  run(args: string[], ctx: CliContext): Promise<void> | void;
};

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  insurer: insurerCommand,
  'import-members': importMembersCommand,
  'seed-demo': seedDemoCommand,
  backup: backupCommand,
  terms: termsCommand,
  notice: noticeCommand,
  'reset-accounts': resetAccountsCommand,
  staff: staffCommand,
  audit: auditCommand,
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return ['usage: portal <command> [options]', '', 'commands:', ...rows].join('\n');
}

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  const err = overrides.err ?? ((line: string) => process.stderr.write(line + '\n'));
  if (!command) {
    err(name && name !== 'help' && name !== '--help' ? `portal: unknown command "${name}"\n\n${usage()}` : usage());
    return name === 'help' || name === '--help' ? 0 : 2;
  }
  let ctx: CliContext | undefined;
  try {
    ctx = openCliContext(overrides);
    await command.run(args, ctx);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      err(`portal ${name}: ${e.message}`);
      return 1;
    }
    err(`portal ${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    if (ctx && !overrides.db) ctx.db.close();
  }
}

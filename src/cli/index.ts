import { ConfigError } from '../config.js';
import { openCliContext, UsageError, type CliContext } from './context.js';

/** A command receives its own arguments (after the command name) and the context. */
export type Command = {
  run(args: string[], ctx: CliContext): Promise<void> | void;
};

// Each command's module loads only when that command runs: `portal migrate` does not pay
// for the importer, markdown-it or the TOTP library.
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  migrate: { summary: 'apply pending database migrations', load: async () => (await import('./commands/migrate.js')).migrateCommand },
  insurer: { summary: 'insurer add|update|list — the societies this portal serves', load: async () => (await import('./commands/insurer.js')).insurerCommand },
  'import-members': { summary: 'import-members FILE — upsert the member registry from CSV (all rows or none)', load: async () => (await import('./commands/import-members.js')).importMembersCommand },
  'seed-demo': { summary: 'create the demo insurer and demo members (once)', load: async () => (await import('./commands/seed-demo.js')).seedDemoCommand },
  backup: { summary: 'backup FILE — consistent online copy of the database', load: async () => (await import('./commands/backup.js')).backupCommand },
  terms: { summary: 'terms publish FILE.md --insurer CODE — a new version of the terms of use (Markdown)', load: async () => (await import('./commands/terms.js')).termsCommand },
  notice: { summary: 'notice add --insurer CODE --title T --body B [--until YYYY-MM-DD] — a notice on my page', load: async () => (await import('./commands/notice.js')).noticeCommand },
  'reset-accounts': { summary: 'yearly reset: close every active account of an insurer (members sign up again)', load: async () => (await import('./commands/reset-accounts.js')).resetAccountsCommand },
  staff: { summary: 'staff add|disable|unlock|list — call-center console accounts', load: async () => (await import('./commands/staff.js')).staffCommand },
  survey: { summary: 'survey create|list|import-targets|remind — the yearly dependents\' survey', load: async () => (await import('./commands/survey.js')).surveyCommand },
  audit: { summary: 'audit export — the call-center audit log as CSV', load: async () => (await import('./commands/audit.js')).auditCommand },
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
    await (await command.load()).run(args, ctx);
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

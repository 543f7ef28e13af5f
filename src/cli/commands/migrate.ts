import { migrate } from '../../db/migrate.js';
import type { Command } from '../index.js';

export const migrateCommand: Command = {
  run(_args, ctx) {
    // openCliContext has already migrated; run again to report (it is idempotent).
    const { applied } = migrate(ctx.db);
    const total = ctx.db.prepare('SELECT count(*) FROM schema_migrations').pluck().get() as number;
    ctx.out(applied.length ? `applied: ${applied.join(', ')}` : `database is up to date (${total} migrations applied)`);
  },
};

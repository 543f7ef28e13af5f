import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

export const backupCommand: Command = {
  async run(args, ctx) {
    const [target, ...rest] = args;
    if (!target || rest.length > 0) throw new UsageError('usage: portal backup FILE');
    const file = path.resolve(target);
    if (fs.existsSync(file)) throw new UsageError(`${file} already exists; choose a new file name`);
    if (!fs.existsSync(path.dirname(file))) throw new UsageError(`folder ${path.dirname(file)} does not exist`);
    // better-sqlite3's backup API copies page by page while the server keeps writing.
    await ctx.db.backup(file);
    const size = fs.statSync(file).size;
    ctx.out(`backup written to ${file} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
  },
};

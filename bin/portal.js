#!/usr/bin/env node
// `npx portal <command>`: runs the compiled command line (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('portal: not built yet; run `npm run build` first');
  process.exit(1);
}
await import(main);

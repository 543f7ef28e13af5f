import { runCli } from './index.js';

// Entry point of `portal <command>` (bin/portal.js and `npm run portal --`).
process.exitCode = await runCli(process.argv.slice(2));

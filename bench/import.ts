import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeMembersCsv } from './generate-members.js';
import { CLI, envNumber, INSURER_CODE, portalEnv, runBenchmark, runNode, scratchFolder, table, verdict } from './support.js';

/**
 * `npm run bench:import`: generates a registry CSV of 1,000,000 members (BENCH_ROWS to
 * change), and imports it with the real command in a child process — first into an empty
 * registry, then the same file again (every row unchanged). Wall time from process start to
 * exit, peak resident memory from /proc. Targets (issue 2): ≥ 150,000 rows/s, < 200 MB.
 */

const ROWS = envNumber('BENCH_ROWS', 1_000_000);
const TARGET_ROWS_PER_S = 150_000;
const TARGET_PEAK_MB = 200;

runBenchmark(async () => {
  const folder = scratchFolder('import');
  const csv = path.join(folder, 'members.csv');
  const env = portalEnv(path.join(folder, 'data'));

  console.log(`bench:import — ${ROWS.toLocaleString('en')} members, ${os.cpus().length} cores, node ${process.version}`);
  let started = performance.now();
  await writeMembersCsv(csv, ROWS, INSURER_CODE);
  const size = fs.statSync(csv).size;
  console.log(`generated ${csv} (${(size / 1024 / 1024).toFixed(1)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const add = await runNode(CLI, ['insurer', 'add', '--code', INSURER_CODE, '--name', 'ベンチマーク健康保険組合'], env);
  if (add.code !== 0) throw new Error(`portal insurer add failed: ${add.stderr}`);

  const results: (string | number)[][] = [];
  let failed = false;
  for (const run of ['first import (empty registry)', 'same file again (all unchanged)']) {
    started = performance.now();
    const result = await runNode(CLI, ['import-members', csv], env);
    if (result.code !== 0) throw new Error(`portal import-members failed (exit ${result.code}):\n${result.stderr}`);
    console.log(`  ${result.stdout.trim()}`);
    const seconds = result.wallMs / 1000;
    const rate = ROWS / seconds;
    // The command's own time runs from opening the file to the commit (no process start-up).
    const own = /, ([\d.]+) s, ([\d,]+) rows\/s\)/.exec(result.stdout);
    const pass = rate >= TARGET_ROWS_PER_S && result.peakMiB < TARGET_PEAK_MB;
    failed ||= !pass;
    results.push([
      run, seconds.toFixed(2), Math.round(rate).toLocaleString('en'), own ? `${own[1]} s, ${own[2]}` : '-',
      result.peakMiB.toFixed(0), verdict(pass),
    ]);
  }

  console.log('');
  console.log(
    table(
      ['run', 'process wall s', 'rows/s', 'command: file → commit', 'peak RSS MiB', `≥${TARGET_ROWS_PER_S / 1000}k rows/s, <${TARGET_PEAK_MB} MB`],
      results,
    ),
  );
  console.log('(rows/s and the verdict use the process wall time, node start-up and exit included)');
  console.log('');
  console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine slows the figures)`);
  console.log(failed ? 'FAIL: a target was missed' : 'PASS');
});

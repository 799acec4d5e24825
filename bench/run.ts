/**
 * `npm run bench`: every benchmark of the project, one after another. Each is
 * also runnable alone (`npx tsx bench/<name>.ts`) and prints its own figures.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = ['listing.ts', 'quantum-add.ts'];

let failed = false;
for (const name of BENCHMARKS) {
  process.stdout.write(`\n=== bench/${name} ===\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, name)], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

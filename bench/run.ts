/**
 * `npm run bench`: every benchmark of the project, one after another. Each is
 * also runnable alone (`npx tsx bench/<name>.ts`) and prints its own figures.
 * `npm run bench -- <name> [args…]` runs one of them with its arguments
 * (e.g. `npm run bench -- bundles --before <git-ref>`: cold start of every function beside the SDK floor).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = ['listing', 'quantum-add', 'upload-batch', 'presign', 'session-wrap', 'handler-memory', 'bundles', 'cost', 'cli-webhook-site'];
/**
 * Benchmarks run only by name: cost starts its own stack and takes ~12 min (`npm run bench -- cost`);
 * cli-webhook-site starts its own stack on fixed ports and checks issue 22's "Done when" (~7 min on 2 loaded cores).
 */
const BY_NAME_ONLY: ReadonlySet<string> = new Set(['cost', 'cli-webhook-site']);
/**
 * Node options a benchmark needs: session-wrap and handler-memory reach @ipld/dag-pb (cli-webhook-site
 * ipfs-unixfs-importer), an ES module only,
 * which Node 20 cannot require(); handler-memory forces collections before it reads the heap.
 */
const NODE_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'session-wrap': ['--conditions=import'],
  'handler-memory': ['--conditions=import', '--expose-gc'],
  'cli-webhook-site': ['--conditions=import'],
};

const [chosen, ...args] = process.argv.slice(2);
if (chosen !== undefined && !BENCHMARKS.includes(chosen)) {
  process.stderr.write(`unknown benchmark "${chosen}"; one of: ${BENCHMARKS.join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of chosen ? [chosen] : BENCHMARKS.filter((name) => !BY_NAME_ONLY.has(name))) {
  process.stdout.write(`\n=== bench/${name}.ts ===\n`);
  const result = spawnSync(process.execPath, [...(NODE_OPTIONS[name] ?? []), '--import', 'tsx', path.join(__dirname, `${name}.ts`), ...args], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

/**
 * Cold-start figures of every function: package (zip) size, bundle (the handler's
 * .js) size and the median time of `require()` of the bundle in fresh Node
 * processes, for two builds side by side, run interleaved (A, B, A, B, …) so
 * both see the same machine load.
 *
 *   npm run bench -- bundles --before <dir|git-ref> [--after <dir|git-ref>] [--runs 9] [--source-maps]
 *   npx tsx bench/bundles.ts --before 4063990
 *   npx tsx bench/bundles.ts --before /tmp/bundles-before --after .serverless
 *
 * A build is either a directory of `serverless package` zips or a git ref, which is
 * checked out into a temporary worktree (sharing this checkout's node_modules when its
 * package-lock.json is the same and `--install` is not given, else with its own `npm ci`) and packaged there with `serverless package --stage ci`. Without
 * `--after`, this working tree is packaged. `--source-maps` loads the bundles with
 * `--enable-source-maps`, as the deployed functions do (NODE_OPTIONS in serverless.yml).
 *
 * The child processes get a Lambda-like environment (function name, region, the
 * service's variables), since bundles read their configuration at load.
 * `require()` is timed as elapsed (wall) and CPU time; with other work on the
 * machine, the paired ratio (median of B_i/A_i over back-to-back runs) and the
 * CPU ratio move much less than the ratio of the wall medians.
 * Figures only; nothing here asserts a time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, say } from './figures';

const repoRoot = path.resolve(__dirname, '..');

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    runs: { type: 'string', default: '9' },
    'source-maps': { type: 'boolean', default: false },
    install: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

if (!values.before) {
  say('usage: npm run bench -- bundles --before <dir|git-ref> [--after <dir|git-ref>] [--runs 9] [--source-maps] [--only name,name]');
  say('(no --before given: nothing to compare; skipped)');
  process.exit(0);
}
const RUNS = Number(values.runs);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
const cleanups: Array<() => void> = [() => rmSync(scratch, { recursive: true, force: true })];

/** The zips of a build: `dir` itself when it holds zips, else a git ref packaged in a temporary worktree. */
function packages(spec: string | undefined, label: string): string {
  if (spec && existsSync(spec) && statSync(spec).isDirectory()) return path.resolve(spec);
  const out = path.join(scratch, `${label}-packages`);
  let cwd = repoRoot;
  if (spec) {
    const worktree = path.join(scratch, `${label}-worktree`);
    execFileSync('git', ['worktree', 'add', '--detach', worktree, spec], { cwd: repoRoot, stdio: 'ignore' });
    cleanups.unshift(() => execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repoRoot, stdio: 'ignore' }));
    // This checkout's node_modules serve only a ref locked to the same packages (a dependency added or dropped since
    // would be missing); otherwise the ref gets its own `npm ci`.
    const sameLock = readFileSync(path.join(worktree, 'package-lock.json'), 'utf8') === readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8');
    if (values.install || !sameLock) {
      say(`installing ${spec}'s locked packages (${values.install ? '--install' : 'its package-lock.json differs from this one'}) …`);
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: worktree, stdio: 'ignore' });
    } else {
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
    }
    cwd = worktree;
  }
  say(`packaging ${spec ?? 'this working tree'} (${label}) …`);
  execFileSync('npx', ['serverless', 'package', '--stage', 'ci', '--package', out], { cwd, stdio: 'ignore', env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } });
  return out;
}

interface Bundle {
  readonly zipBytes: number;
  readonly jsBytes: number;
  readonly jsPath: string;
}

function unpack(dir: string, label: string): Map<string, Bundle> {
  const bundles = new Map<string, Bundle>();
  for (const zip of readdirSync(dir).filter((name) => name.endsWith('.zip')).sort()) {
    const name = zip.replace(/\.zip$/, '');
    const into = path.join(scratch, label, name);
    mkdirSync(into, { recursive: true });
    execFileSync('unzip', ['-q', '-o', path.join(dir, zip), '-d', into]);
    const js = findFiles(into).filter((file) => file.endsWith('.js'));
    if (js.length !== 1) throw new Error(`${zip}: expected one .js, found ${js.length}`);
    bundles.set(name, { zipBytes: statSync(path.join(dir, zip)).size, jsBytes: statSync(js[0]!).size, jsPath: js[0]! });
  }
  return bundles;
}

function findFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? findFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** What the Lambda runtime and serverless.yml give every function (values are placeholders; nothing is called). */
const lambdaEnvironment = (name: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_LAMBDA_FUNCTION_NAME: `storage-service-ci-${name}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  STAGE: 'ci',
  SERVICE_VERSION: '0.1.0',
  TABLE_NAME: 'storage-service-ci',
  FILES_BUCKET: 'storage-service-ci-files',
  REPLICA_BUCKET: 'storage-service-ci-replica',
  LOG_LEVEL: 'info',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** Prints `<wall ms> <cpu ms>` of `require()` of argv[1]: elapsed time, and the process's user+system CPU time over it. */
const PROBE = `const c=process.cpuUsage(),t=process.hrtime.bigint();require(process.argv[1]);const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1e3);`;

/**
 * One fresh process: milliseconds `require()` of the bundle took, as elapsed
 * (wall) time and as CPU time. On a quiet machine they agree; on a shared one the
 * wall time also counts the waits for a core, which the CPU time leaves out.
 */
function requireMs(bundle: Bundle, name: string): { wall: number; cpu: number } {
  const flags = values['source-maps'] ? ['--enable-source-maps'] : [];
  const result = spawnSync(process.execPath, [...flags, '-e', PROBE, bundle.jsPath], { env: lambdaEnvironment(name), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`require(${bundle.jsPath}) failed: ${result.stderr}`);
  const [wall, cpu] = result.stdout.split(' ').map(Number);
  return { wall: wall!, cpu: cpu! };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ratio = (after: number, before: number) => `${((after / before) * 100).toFixed(0)}%`;
const pad = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');

try {
  const before = unpack(packages(values.before, 'before'), 'before');
  const after = unpack(packages(values.after, 'after'), 'after');
  const only = values.only?.split(',');
  const names = [...before.keys()].filter((name) => after.has(name) && (!only || only.includes(name)));
  // Functions B has and A had not: their own figures (B alone), so a new function's size stays visible too.
  const added = [...after.keys()].filter((name) => !before.has(name) && (!only || only.includes(name)));
  say(`\n${names.length} functions; median of ${RUNS} fresh processes each, A/B interleaved${values['source-maps'] ? ', --enable-source-maps' : ''}; node ${process.version}\n`);

  // req: median wall ms of require() in fresh processes; B/A pair: median of the per-run ratios B_i/A_i (A_i and B_i
  // run back to back, so each pair sees about the same load); cpu: the same for CPU ms.
  const widths = [Math.max(26, ...added.map((name) => name.length + 11)), 9, 9, 5, 9, 9, 5, 8, 8, 5, 6, 8, 8, 5];
  say(pad(['function', 'zip A', 'zip B', 'B/A', 'js A', 'js B', 'B/A', 'req A', 'req B', 'B/A', 'pair', 'cpu A', 'cpu B', 'B/A'], widths));
  const totals = { zip: [0, 0], js: [0, 0], ms: [0, 0], cpu: [0, 0] };
  const worst = { zip: 0, js: 0, ms: 0, pair: 0, cpu: 0 };
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  for (const name of names) {
    const a = before.get(name)!;
    const b = after.get(name)!;
    const runsA: Array<{ wall: number; cpu: number }> = [];
    const runsB: Array<{ wall: number; cpu: number }> = [];
    for (let run = 0; run < RUNS; run += 1) {
      runsA.push(requireMs(a, name));
      runsB.push(requireMs(b, name));
    }
    const [msA, msB] = [median(runsA.map((r) => r.wall)), median(runsB.map((r) => r.wall))];
    const [cpuA, cpuB] = [median(runsA.map((r) => r.cpu)), median(runsB.map((r) => r.cpu))];
    const pair = median(runsA.map((r, i) => runsB[i]!.wall / r.wall));
    say(
      pad(
        [name, kb(a.zipBytes), kb(b.zipBytes), ratio(b.zipBytes, a.zipBytes), kb(a.jsBytes), kb(b.jsBytes), ratio(b.jsBytes, a.jsBytes), ms(msA), ms(msB), ratio(msB, msA), ratio(pair, 1), ms(cpuA), ms(cpuB), ratio(cpuB, cpuA)],
        widths,
      ),
    );
    totals.zip[0]! += a.zipBytes;
    totals.zip[1]! += b.zipBytes;
    totals.js[0]! += a.jsBytes;
    totals.js[1]! += b.jsBytes;
    totals.ms[0]! += msA;
    totals.ms[1]! += msB;
    totals.cpu[0]! += cpuA;
    totals.cpu[1]! += cpuB;
    worst.zip = Math.max(worst.zip, b.zipBytes / a.zipBytes);
    worst.js = Math.max(worst.js, b.jsBytes / a.jsBytes);
    worst.ms = Math.max(worst.ms, msB / msA);
    worst.pair = Math.max(worst.pair, pair);
    worst.cpu = Math.max(worst.cpu, cpuB / cpuA);
  }
  say(
    pad(
      ['sum', kb(totals.zip[0]!), kb(totals.zip[1]!), ratio(totals.zip[1]!, totals.zip[0]!), kb(totals.js[0]!), kb(totals.js[1]!), ratio(totals.js[1]!, totals.js[0]!), ms(totals.ms[0]!), ms(totals.ms[1]!), ratio(totals.ms[1]!, totals.ms[0]!), '', ms(totals.cpu[0]!), ms(totals.cpu[1]!), ratio(totals.cpu[1]!, totals.cpu[0]!)],
      widths,
    ),
  );
  for (const name of added) {
    const b = after.get(name)!;
    const runs = Array.from({ length: RUNS }, () => requireMs(b, name));
    const [msB, cpuB] = [median(runs.map((r) => r.wall)), median(runs.map((r) => r.cpu))];
    say(pad([`${name} (new in B)`, '—', kb(b.zipBytes), '', '—', kb(b.jsBytes), '', '—', ms(msB), '', '', '—', ms(cpuB), ''], widths));
  }
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  say(`\nworst B/A: zip ${percent(worst.zip)}, js ${percent(worst.js)}, require ${percent(worst.ms)} (paired ${percent(worst.pair)}, cpu ${percent(worst.cpu)})`);
} finally {
  for (const cleanup of cleanups) cleanup();
}

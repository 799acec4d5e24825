/**
 * Cold start of every function, in milliseconds, against the AWS SDK's own floor.
 *
 *   npm run bench -- bundles [--before <git-ref>] [--runs 9] [--only name,name] [--node <path>]
 *
 * Each function is bundled with esbuild directly, with the options serverless-esbuild is given
 * (infra/esbuild.config.js: the same minification, aliases, target and linked source maps without sources, as
 * deployed), from this working tree (B) and, with `--before`, from a git ref checked out in a temporary
 * worktree (A; sharing this checkout's node_modules when its package-lock.json is the same, else with its
 * own `npm ci`). The *floor* (bench/floor.ts: `@middy/core`, the DynamoDB client + document client, the S3
 * client and its presigner, nothing of ours) is bundled with B's options.
 *
 * Per function it prints the bundle's bytes and the median, over fresh Node 22 processes (what Lambda runs;
 * `npx -y -p node@22` unless `--node` is given) started with `--enable-source-maps` (serverless.yml's
 * NODE_OPTIONS), of the time from `require()` of the bundle to the handler's first AWS request: module
 * evaluation, the clients built at init, and what the first invocation builds before it sends (clients
 * loaded on first use included). The first request is caught as it is made (node:http / node:https), so
 * nothing leaves the machine; a handler that sends nothing is timed to its answer. Each function gets an
 * event of its own kind (its first HTTP route with credentials, an SQS message, a schedule). A, B and the
 * floor run interleaved (A, B, floor, A, B, floor, …), so all see the same load; B/floor is the median of the
 * paired ratios of the same run (elapsed, and CPU time), the goal ≤ 1.3. For a function above it (CPU ratio),
 * the largest inputs of its bundle (esbuild metafile) are listed. Figures only; nothing here asserts a time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse } from 'yaml';
import { median, say } from './figures';

const repoRoot = path.resolve(__dirname, '..');
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    before: { type: 'string' },
    runs: { type: 'string', default: '9' },
    only: { type: 'string' },
    node: { type: 'string' },
    install: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const GOAL = 1.3;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
const cleanups: Array<() => void> = [() => rmSync(scratch, { recursive: true, force: true })];

/** A tree to bundle from: this checkout, or a git ref in a temporary worktree. */
function tree(spec: string | undefined, label: string): string {
  if (!spec) return repoRoot;
  const worktree = path.join(scratch, `${label}-worktree`);
  execFileSync('git', ['worktree', 'add', '--detach', worktree, spec], { cwd: repoRoot, stdio: 'ignore' });
  cleanups.unshift(() => execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repoRoot, stdio: 'ignore' }));
  const sameLock = readFileSync(path.join(worktree, 'package-lock.json'), 'utf8') === readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8');
  if (values.install || !sameLock) {
    say(`installing ${spec}'s locked packages (${values.install ? '--install' : 'its package-lock.json differs from this one'}) …`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: worktree, stdio: 'ignore' });
  } else {
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
  }
  return worktree;
}

interface FunctionDefinition {
  readonly name: string;
  /** The handler's module, relative to the tree (`functions/…/handler.ts`). */
  readonly entry: string;
  readonly export: string;
  readonly event: unknown;
  readonly environment: Record<string, string>;
}

/** Every function of a tree: serverless.yml's `functions` list of `${file(…function.yml)}`. */
function functionsOf(root: string): FunctionDefinition[] {
  const files = readFileSync(path.join(root, 'serverless.yml'), 'utf8').matchAll(/\$\{file\(\.\/(functions\/[^)]+\/function\.yml)\)\}/g);
  return [...files].map(([, file]) => {
    const [[name, definition]] = Object.entries(parse(readFileSync(path.join(root, file!), 'utf8'), { customTags: [{ tag: '!GetAtt', resolve: (value: string) => value }, { tag: '!Ref', resolve: (value: string) => value }, { tag: '!Join', collection: 'seq', resolve: (value: unknown) => value }] }) as Record<string, any>) as [[string, any]];
    const [module, exported] = [definition.handler.replace(/\.[^.]+$/, ''), definition.handler.split('.').pop()];
    return { name, entry: `${module}.ts`, export: exported, event: eventFor(definition.events ?? []), environment: environmentFor(definition.environment ?? {}) };
  });
}

/** The function's environment beyond the provider's: its own variables with AWS-like placeholder values. */
function environmentFor(own: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  if ('LIFECYCLE_QUEUE_URL' in own) env.LIFECYCLE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/storage-service-ci-object-events';
  if ('IPNS_KEY_PARAMETER' in own) env.IPNS_KEY_PARAMETER = '/storage-service/ci/ipns-key-encryption-key';
  return env;
}

const SAMPLE_UUID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** An event of the function's first trigger: an HTTP API v2 request with both credentials, an SQS message or a schedule. */
function eventFor(events: Record<string, any>[]): unknown {
  const http = events.find((event) => event.httpApi)?.httpApi;
  if (http) {
    const method = http.method === '*' ? 'GET' : String(http.method).toUpperCase();
    const pathParameters: Record<string, string> = {};
    const rawPath = String(http.path).replace(/\{([^}+]+)\+?\}/g, (_, name: string) => (pathParameters[name] = name === 'cid' ? 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' : SAMPLE_UUID));
    return {
      version: '2.0',
      routeKey: `${method} ${http.path}`,
      rawPath,
      rawQueryString: '',
      headers: { authorization: `Basic ${Buffer.from('bench-key:bench-secret').toString('base64')}`, 'x-api-mkey': 'mk_bench', 'content-type': 'application/json', host: 'bench.local' },
      pathParameters,
      requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: SAMPLE_UUID, routeKey: `${method} ${http.path}`, stage: '$default', domainName: 'bench.local', timeEpoch: Date.now() },
      body: method === 'POST' ? JSON.stringify({ fileName: 'a.txt', contentType: 'text/plain', files: [{ fileName: 'a.txt' }], name: 'bench', cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }) : undefined,
      isBase64Encoded: false,
    };
  }
  if (events.some((event) => event.sqs)) {
    const body = JSON.stringify({ Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { object: { key: `uploads/${SAMPLE_UUID}/${SAMPLE_UUID}` } } }] });
    return { Records: [{ messageId: SAMPLE_UUID, receiptHandle: 'r', body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q', awsRegion: 'us-east-1' }] };
  }
  return { version: '0', id: SAMPLE_UUID, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: {} };
}

/**
 * The functions' esbuild options of the build at `root`: infra/esbuild.config.js (`functionBuildOptions`, shared by
 * serverless-esbuild and the local stack) where it exists, else serverless.yml's `custom.esbuild` (builds before it).
 */
function esbuildOptions(root: string): BuildOptions {
  const shared = path.join(root, 'infra', 'esbuild.config.js');
  const options: BuildOptions = existsSync(shared)
    ? (createRequire(__filename)(shared) as { functionBuildOptions: BuildOptions }).functionBuildOptions
    : (() => {
        const { exclude: _exclude, packager: _packager, ...legacy } = (parse(readFileSync(path.join(root, 'serverless.yml'), 'utf8'), { customTags: [{ tag: '!Ref', resolve: (value: string) => value }, { tag: '!GetAtt', resolve: (value: string) => value }] }) as { custom: { esbuild: BuildOptions & { exclude?: unknown; packager?: unknown } } }).custom.esbuild;
        return legacy;
      })();
  return { ...options, absWorkingDir: root, nodePaths: [path.join(root, 'node_modules')], logLevel: 'silent', metafile: true };
}

interface Bundle {
  readonly jsPath: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

async function bundle(root: string, entry: string, outDir: string, options: BuildOptions): Promise<Bundle> {
  const jsPath = path.join(outDir, `${path.basename(path.dirname(entry))}-${path.basename(entry, '.ts')}.js`);
  const result = await build({ ...options, entryPoints: [path.join(root, entry)], outfile: jsPath });
  return { jsPath, bytes: statSync(jsPath).size, metafile: result.metafile! };
}

/** What the Lambda runtime and serverless.yml give every function (placeholders; nothing is sent). */
const lambdaEnvironment = (name: string, own: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_LAMBDA_FUNCTION_NAME: `storage-service-ci-${name}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  STAGE: 'ci',
  SERVICE_VERSION: '0.1.0',
  TABLE_NAME: 'storage-service-ci',
  FILES_BUCKET: 'storage-service-ci-files',
  REPLICA_BUCKET: 'storage-service-ci-replica',
  LOG_LEVEL: 'info',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...own,
});

/**
 * The probe, run in a fresh process: `node --enable-source-maps probe.js <bundle> <export> <event file>`.
 * Prints the ms from before `require()` to the handler's first HTTP(S) request (or its answer): elapsed, and
 * the process's CPU time over it (which leaves out the waits for a core when other work shares the machine).
 */
const PROBE = `
const http = require('node:http'), https = require('node:https');
const started = process.hrtime.bigint(), cpu = process.cpuUsage();
const done = () => { const used = process.cpuUsage(cpu); process.stdout.write('\\nBENCH_MS=' + String(Number(process.hrtime.bigint() - started) / 1e6) + ' ' + String((used.user + used.system) / 1e3) + '\\n'); process.exit(0); };
for (const m of [http, https]) { m.request = done; m.get = done; }
const [bundle, exported, eventFile] = process.argv.slice(2);
const handler = require(bundle)[exported];
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', memoryLimitInMB: '512', awsRequestId: 'bench', logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 29000, done() {}, fail() {}, succeed() {} };
Promise.resolve().then(() => handler(JSON.parse(require('node:fs').readFileSync(eventFile, 'utf8')), context)).then(done, done);
`;

function node22(): string {
  if (values.node) return values.node;
  return execFileSync('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath'], { encoding: 'utf8' }).trim().split('\n').pop()!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const pad = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');

/** The largest inputs of a bundle, by package (or our own directory), from its metafile. */
function largestInputs(metafile: Metafile, count = 8): string {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const owner = match ? match[1]! : input.split('/').slice(0, 2).join('/');
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, count).map(([owner, bytes]) => `${owner} ${kb(bytes)}`).join(', ');
}

async function main(): Promise<void> {
  const node = node22();
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const probe = path.join(scratch, 'probe.js');
  writeFileSync(probe, PROBE);
  const rootB = repoRoot;
  const rootA = values.before ? tree(values.before, 'before') : undefined;
  const only = values.only?.split(',');
  const functionsB = functionsOf(rootB).filter((fn) => !only || only.includes(fn.name));
  const functionsA = new Map((rootA ? functionsOf(rootA) : []).map((fn) => [fn.name, fn]));
  say(`bundling ${functionsB.length} functions${rootA ? ` of ${values.before} (A) and` : ''} of this tree (B), and the floor …`);
  const optionsB = esbuildOptions(rootB);
  const optionsA = rootA ? esbuildOptions(rootA) : undefined;
  const floor = await bundle(rootB, 'bench/floor.ts', path.join(scratch, 'floor'), optionsB);
  const rows: { fn: FunctionDefinition; a?: Bundle; b: Bundle; eventFile: string }[] = [];
  for (const fn of functionsB) {
    const b = await bundle(rootB, fn.entry, path.join(scratch, 'B'), optionsB);
    const previous = functionsA.get(fn.name);
    const a = previous && optionsA && existsSync(path.join(rootA!, previous.entry)) ? await bundle(rootA!, previous.entry, path.join(scratch, 'A'), optionsA) : undefined;
    const eventFile = path.join(scratch, `${fn.name}.event.json`);
    writeFileSync(eventFile, JSON.stringify(fn.event));
    rows.push({ fn, a, b, eventFile });
  }

  const time = (target: Bundle, fn: FunctionDefinition, exported: string, eventFile: string): { wall: number; cpu: number } => {
    const result = spawnSync(node, ['--enable-source-maps', probe, target.jsPath, exported, eventFile], { env: lambdaEnvironment(fn.name, fn.environment), encoding: 'utf8' });
    // The handler's own log lines share stdout: the figures are on a line of their own.
    const [, wall, cpu] = (/^BENCH_MS=([\d.]+) ([\d.]+)$/m.exec(result.stdout) ?? []).map(Number);
    if (result.status !== 0 || !Number.isFinite(wall) || !Number.isFinite(cpu)) throw new Error(`${target.jsPath} failed: ${result.stderr || result.stdout}`);
    return { wall: wall!, cpu: cpu! };
  };

  say(`\n${RUNS} fresh processes each (A, B and the floor interleaved), require() to the first AWS request, ${version} --enable-source-maps`);
  say('ms: median elapsed; B/fl: median of the paired ratios B_i/floor_i (run back to back, so each pair sees about the same load);');
  say('cpu: the same ratio on CPU time, which leaves out waits for a core (the steadier figure on a shared machine)\n');
  const widths = [24, 8, 8, 7, 7, 7, 6, 6, 6];
  say(pad(['function', 'js A', 'js B', 'ms A', 'ms B', 'floor', 'B/fl', 'cpu', 'A/fl'], widths));
  const floorAll: number[] = [];
  const above: string[] = [];
  let worst = 0;
  const paired = (runs: { wall: number; cpu: number }[], base: { wall: number; cpu: number }[], key: 'wall' | 'cpu') => median(runs.map((run, i) => run[key] / base[i]![key]));
  for (const { fn, a, b, eventFile } of rows) {
    const runsA: { wall: number; cpu: number }[] = [];
    const runsB: { wall: number; cpu: number }[] = [];
    const runsFloor: { wall: number; cpu: number }[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      if (a) runsA.push(time(a, fn, functionsA.get(fn.name)!.export, eventFile));
      runsB.push(time(b, fn, fn.export, eventFile));
      runsFloor.push(time(floor, fn, 'handler', eventFile));
    }
    floorAll.push(...runsFloor.map((run) => run.wall));
    const [msA, msB, msFloor] = [median(runsA.map((run) => run.wall)), median(runsB.map((run) => run.wall)), median(runsFloor.map((run) => run.wall))];
    const [ratio, cpuRatio] = [paired(runsB, runsFloor, 'wall'), paired(runsB, runsFloor, 'cpu')];
    worst = Math.max(worst, cpuRatio);
    if (cpuRatio > GOAL) above.push(`${fn.name} (cpu ${cpuRatio.toFixed(2)}): ${largestInputs(b.metafile)}`);
    say(pad([fn.name, a ? kb(a.bytes) : '—', kb(b.bytes), a ? ms(msA) : '—', ms(msB), ms(msFloor), ratio.toFixed(2), cpuRatio.toFixed(2), a ? paired(runsA, runsFloor, 'cpu').toFixed(2) : '—'], widths));
  }
  say(pad(['floor', '', kb(floor.bytes), '', '', ms(median(floorAll)), '', '', ''], widths));
  say(`\nworst B/floor (cpu) ${worst.toFixed(2)} (goal ≤ ${GOAL}); A/fl: the same CPU ratio for A; floor bundle: ${largestInputs(floor.metafile, 6)}`);
  for (const line of above) say(`above the goal: ${line}`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const cleanup of cleanups) cleanup();
  });

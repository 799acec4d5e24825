/**
 * Issue 18's scale bench: the official `@apillon/sdk` uploads a generated site with
 * `bucket.uploadFromFolder` (200 files per upload call, each batch PUT in parallel) to a
 * local stack, RUNS times in a row, each on a fresh `npm start -- --in-memory` that the
 * bench starts itself (free ports) and stops with Ctrl-C.
 *
 * The site (the same bytes every run, from a seed): FILES files (default 5,000) in folders
 * nested up to 8 levels, names with spaces and non-ASCII letters, sizes from 1 B to 1 MiB
 * (every size class from 1 B up; about 200 MB in all by default, printed).
 *
 * Each run prints
 * - start-up: from `npm start` to its banner;
 * - the SDK's upload: from its first PUT (seen on Node's `http.client.request.start`
 *   diagnostics channel) to every file at status 4 with the CID the SDK computed;
 * - the same PUTs against s3rver alone (a bare s3rver in its own process on its own port,
 *   the same files, 200 at a time as the SDK sends them), measured in the same run just
 *   before the stack starts, and the ratio of the two (goal: at most 2);
 * - RSS of every process of the stack (bench/local-rss.ts): idle after start, the peak
 *   during the upload, and 60 s after the last file reached status 4.
 * It exits 1 when a file is missing, not at 4, or has another CID, or a process survives Ctrl-C.
 *
 *   npx tsx bench/sdk-site.ts                        3 runs of 5,000 files
 *   npx tsx bench/sdk-site.ts --runs 1 --files 2000 --rss-every 2
 *   npx tsx bench/sdk-site.ts --base http://localhost:3000   one run against a stack already
 *                                                    running (API_KEY, API_SECRET; no RSS, no restart)
 */
import { spawn } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LogLevel, Storage } from '@apillon/sdk';
import { freePort } from '../lib/local/ports';
import { launchLocalStack, type LocalStack } from '../test/support/local-stack';
import { median, say } from './figures';
import { formatSample, peakSample, PROCESS_KINDS, recordStack, sampleHeader, type StackSample } from './local-rss';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '18' },
    base: { type: 'string' },
    'rss-every': { type: 'string', default: '1' },
    'after-seconds': { type: 'string', default: '60' },
    'print-rss': { type: 'boolean', default: false },
  },
});
const FILES = Number(values.files);
const RUNS = values.base ? 1 : Number(values.runs);
/** The SDK's batch: files per upload call, PUT in parallel (node_modules/@apillon/sdk/dist/util/file-utils.js, fileChunkSize). */
const SDK_BATCH = 200;
const MiB = 1024 * 1024;

/** mulberry32: a small seeded PRNG, so every run (and the bare s3rver) gets the same site. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SiteFile {
  /** Relative to the site folder, `/`-separated. */
  readonly relative: string;
  readonly bytes: number;
}

/**
 * Writes the site into `folder`: depth 0–8 (file i at depth i mod 9, folders shared between
 * files), names with spaces and non-ASCII letters. Sizes: 90% log-uniform in 1 B–64 KiB, 10%
 * log-uniform in 64 KiB–1 MiB, and one file of exactly 1 B and one of exactly 1 MiB.
 */
function writeSite(folder: string, files: number, seed: number): SiteFile[] {
  const random = prng(seed);
  const logUniform = (low: number, high: number) => Math.round(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
  const segments = ['docs', 'assets', 'Café menu', 'naïve dir', '日本語', 'über uns', 'a b c', 'Ωmega', 'img 2024'];
  const names = ['page', 'Résumé', 'data file', 'über', '画像', 'notes ñ', 'index copy', 'Ωdoc'];
  const site: SiteFile[] = [];
  for (let i = 0; i < files; i++) {
    const depth = i % 9;
    const parts: string[] = [];
    for (let level = 0; level < depth; level++) parts.push(`${segments[(i + level * 7) % segments.length]} ${level}-${(i >> 4) % 3}`);
    const bytes = i === 0 ? 1 : i === 1 ? MiB : random() < 0.9 ? logUniform(1, 64 * 1024) : logUniform(64 * 1024, MiB);
    const relative = [...parts, `${names[i % names.length]} ${i}.bin`].join('/');
    const words = new Uint32Array(Math.ceil(bytes / 4));
    for (let w = 0; w < words.length; w++) words[w] = (random() * 0x100000000) >>> 0;
    const content = Buffer.from(words.buffer, 0, bytes);
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), content);
    site.push({ relative, bytes });
  }
  return site;
}

/**
 * Watches this process's HTTP client (Node's `http.client.request.start` and
 * `http.client.response.finish` diagnostics channels): when each request to `s3Port` (the
 * PUTs) and to any other port (the API calls) was in flight.
 */
function watchRequests(s3Port: number): {
  firstPutAt: () => number | undefined;
  phases: (from: number, to: number) => { putMs: number; apiMs: number };
  /** API calls by `METHOD /path` with the ids taken out: count and median ms. */
  apiCalls: () => { call: string; count: number; medianMs: number }[];
  stop: () => void;
} {
  const started = new Map<ClientRequest, { at: number; put: boolean; call: string }>();
  const intervals: { from: number; to: number; put: boolean; call: string }[] = [];
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const call = `${request.method} ${request.path.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`;
    started.set(request, { at: Date.now(), put: String(request.getHeader('host') ?? '').endsWith(`:${s3Port}`), call });
  };
  const onFinish = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const start = started.get(request);
    if (!start) return;
    started.delete(request);
    intervals.push({ from: start.at, to: Date.now(), put: start.put, call: start.call });
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  diagnosticsChannel.subscribe('http.client.response.finish', onFinish);
  /** ms of [from, to] covered by the union of `spans`. */
  const covered = (spans: readonly { from: number; to: number }[], from: number, to: number) => {
    let total = 0;
    let end = from;
    for (const span of [...spans].sort((a, b) => a.from - b.from)) {
      const a = Math.max(span.from, end);
      const b = Math.min(span.to, to);
      if (b > a) total += b - a;
      end = Math.max(end, span.to);
    }
    return total;
  };
  return {
    firstPutAt: () => intervals.filter((span) => span.put).reduce<number | undefined>((first, span) => Math.min(first ?? span.from, span.from), undefined),
    // Time with a PUT in flight; time with only API calls in flight; the rest is the client's own work.
    phases: (from, to) => {
      const putMs = covered(intervals.filter((span) => span.put), from, to);
      const anyMs = covered(intervals, from, to);
      return { putMs, apiMs: anyMs - putMs };
    },
    apiCalls: () => {
      const byCall = new Map<string, number[]>();
      for (const span of intervals) if (!span.put) byCall.set(span.call, [...(byCall.get(span.call) ?? []), span.to - span.from]);
      return [...byCall].map(([call, times]) => ({ call, count: times.length, medianMs: median(times) }));
    },
    stop: () => {
      diagnosticsChannel.unsubscribe('http.client.request.start', onStart);
      diagnosticsChannel.unsubscribe('http.client.response.finish', onFinish);
    },
  };
}

/** s3rver alone in its own process (as the stack runs it in its start script), on a free port, in a temporary folder. */
async function startBareS3rver(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'bare-s3rver-'));
  const script = `const S3rver = require('s3rver');
new S3rver({ address: 'localhost', port: ${port}, directory: ${JSON.stringify(directory)}, silent: true, configureBuckets: [{ name: 'bare' }] })
  .run().then(() => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bare s3rver exited (code ${code})`)));
  });
  return {
    port,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The SDK's PUTs against bare s3rver: the same files, 200 at a time with the SDK's HTTP client (axios). Returns ms. */
async function barePutMs(folder: string, site: readonly SiteFile[]): Promise<number> {
  // The SDK's own axios (its dependency), so the client side is the same as in the SDK's upload.
  const axios = createRequire(require.resolve('@apillon/sdk'))('axios') as { create(): { put(url: string, body: Buffer): Promise<unknown> } };
  const s3rver = await startBareS3rver();
  try {
    const client = axios.create();
    const started = Date.now();
    for (let i = 0; i < site.length; i += SDK_BATCH) {
      const batch = site.slice(i, i + SDK_BATCH);
      // The SDK reads each file before its batch goes out (file-utils.js); so does this.
      const bodies = batch.map((file) => readFileSync(path.join(folder, file.relative)));
      await Promise.all(batch.map((file, index) => client.put(`http://localhost:${s3rver.port}/bare/uploads/${i + index}`, bodies[index]!)));
    }
    return Date.now() - started;
  } finally {
    await s3rver.stop();
  }
}

interface RunFigures {
  readonly startupMs?: number;
  readonly sdkReturnedMs: number;
  readonly firstPutToAllAtFourMs: number;
  readonly barePutMs: number;
  readonly idle?: StackSample;
  readonly peak?: StackSample;
  readonly after?: StackSample;
  readonly ok: boolean;
}

async function uploadAndWait(storage: Storage, folder: string, site: readonly SiteFile[], s3Port: number): Promise<Omit<RunFigures, 'barePutMs' | 'startupMs'>> {
  const bucket = await storage.createBucket({ name: `site-${Date.now().toString(36)}`, description: 'sdk-site bench' });
  const handle = storage.bucket(bucket.uuid);
  const requests = watchRequests(s3Port);
  const started = Date.now();
  let uploaded: Awaited<ReturnType<typeof handle.uploadFromFolder>>;
  try {
    uploaded = await handle.uploadFromFolder(folder);
  } finally {
    requests.stop();
  }
  const returned = Date.now();
  const sdkReturnedMs = returned - started;
  const putFrom = requests.firstPutAt() ?? started;
  const { putMs, apiMs } = requests.phases(started, returned);
  say(`  uploadFromFolder returned after ${(sdkReturnedMs / 1000).toFixed(1)} s: ${uploaded.length} files (every PUT done)`);
  say(
    `  of which PUTs in flight ${(putMs / 1000).toFixed(1)} s, only API calls in flight ${(apiMs / 1000).toFixed(1)} s, ` +
      `neither (the SDK's own work: reading files, computing every CID) ${((sdkReturnedMs - putMs - apiMs) / 1000).toFixed(1)} s`,
  );
  say(`  its API calls: ${requests.apiCalls().map((api) => `${api.call} ×${api.count} (median ${api.medianMs} ms)`).join(', ')}`);

  // Poll the count at status 4 (one request, but its `total` reads the bucket's whole file list: every 5 s
  // while fewer than 90% are done, then every second), then check every file's CID once.
  const deadline = Date.now() + 30 * 60_000;
  let atFour = 0;
  let lastPrinted = 0;
  for (;;) {
    atFour = (await handle.listFiles({ fileStatus: 4, limit: 1 } as never)).total;
    if (atFour >= site.length || Date.now() > deadline) break;
    if (Date.now() - lastPrinted > 30_000) {
      say(`  ${atFour}/${site.length} at status 4 after ${((Date.now() - putFrom) / 1000).toFixed(0)} s`);
      lastPrinted = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, atFour < 0.9 * site.length ? 5000 : 1000));
  }
  const firstPutToAllAtFourMs = Date.now() - putFrom;
  const expected = new Map(uploaded.map((file) => [file.fileUuid!, file.CID]));
  let verified = 0;
  const wrong: string[] = [];
  for (let page = 1; ; page++) {
    const listed = await handle.listFiles({ limit: 1000, page });
    for (const file of listed.items) {
      if (file.status === 4 && expected.get(file.uuid) === file.CID) verified++;
      else wrong.push(`${file.name}: status ${file.status}, CID ${file.CID} (SDK ${expected.get(file.uuid)})`);
    }
    if (listed.items.length < 1000) break;
  }
  say(`  all ${atFour} files at status 4 ${(firstPutToAllAtFourMs / 1000).toFixed(1)} s after the first PUT; ${verified} with the SDK's CID, ${wrong.length} not`);
  for (const line of wrong.slice(0, 5)) say(`    ${line}`);
  return { sdkReturnedMs, firstPutToAllAtFourMs, ok: uploaded.length === site.length && verified === site.length && wrong.length === 0 };
}

function mib(sample: StackSample | undefined, kind?: (typeof PROCESS_KINDS)[number]): string {
  if (!sample) return '–';
  return ((kind ? sample.byKind[kind] : sample.totalBytes) / MiB).toFixed(0);
}

async function main(): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sdk-site-'));
  const figures: RunFigures[] = [];
  try {
    const site = writeSite(folder, FILES, Number(values.seed));
    const total = site.reduce((sum, file) => sum + file.bytes, 0);
    const depths = new Set(site.map((file) => file.relative.split('/').length - 1));
    say(`site: ${site.length} files, ${(total / MiB).toFixed(0)} MiB (${Math.min(...site.map((f) => f.bytes))} B to ${(Math.max(...site.map((f) => f.bytes)) / MiB).toFixed(0)} MiB), folders nested up to ${Math.max(...depths)} levels`);

    for (let run = 1; run <= RUNS; run++) {
      say(`\nrun ${run}/${RUNS}`);
      const bare = await barePutMs(folder, site);
      say(`  the same PUTs against s3rver alone: ${(bare / 1000).toFixed(1)} s`);
      if (values.base) {
        const key = process.env.API_KEY;
        const secret = process.env.API_SECRET;
        if (!key || !secret) throw new Error('--base needs API_KEY and API_SECRET (npm start prints them).');
        const s3Port = Number(process.env.S3_PORT ?? 4569);
        const result = await uploadAndWait(new Storage({ key, secret, apiUrl: values.base, logLevel: LogLevel.NONE }), folder, site, s3Port);
        figures.push({ ...result, barePutMs: bare });
        continue;
      }
      const launchedAt = Date.now();
      const launched = await launchLocalStack();
      const stack: LocalStack = await launched.ready;
      const startupMs = Date.now() - launchedAt;
      say(`  npm start -- --in-memory: up in ${(startupMs / 1000).toFixed(1)} s`);
      const recording = recordStack(launched.processGroup, Number(values['rss-every']) * 1000);
      const since = Date.now();
      let result: Omit<RunFigures, 'barePutMs' | 'startupMs'> | undefined;
      let after: StackSample | undefined;
      let idle: StackSample | undefined;
      let during: StackSample[] = [];
      try {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        idle = recording.samples.at(-1);
        const uploadFrom = recording.samples.length;
        const storage = new Storage({ key: stack.credentials.apiKey, secret: stack.credentials.apiSecret, apiUrl: stack.baseUrl, logLevel: LogLevel.NONE });
        result = await uploadAndWait(storage, folder, site, stack.ports.s3);
        during = recording.samples.slice(uploadFrom);
        await new Promise((resolve) => setTimeout(resolve, Number(values['after-seconds']) * 1000));
        after = recording.samples.at(-1);
      } finally {
        recording.stop();
        const report = await stack.stop();
        if (report.leftovers.length > 0 || report.busyPorts.length > 0) {
          say(`  Ctrl-C left processes or ports: ${JSON.stringify(report)}`);
          process.exitCode = 1;
        }
      }
      if (values['print-rss']) {
        say(`  ${sampleHeader()}`);
        for (const sample of recording.samples) say(`  ${formatSample(sample, since)}`);
      }
      const peak = peakSample(during);
      say(`  RSS (MiB)       ${PROCESS_KINDS.map((kind) => kind.padStart(18)).join('')}               sum`);
      for (const [label, sample] of [['idle', idle], ['peak (each)', peak], ['60 s after', after]] as const) {
        say(`  ${label.padEnd(14)}  ${PROCESS_KINDS.map((kind) => mib(sample, kind).padStart(18)).join('')}${mib(sample).padStart(18)}`);
      }
      figures.push({ ...result!, barePutMs: bare, startupMs, idle, peak, after });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  say('\nrun  start-up  SDK returned  first PUT → all at 4  s3rver alone  ratio  RSS idle  peak  60 s after (MiB)');
  figures.forEach((figure, i) => {
    say(
      `${String(i + 1).padStart(3)}  ${figure.startupMs === undefined ? '–'.padStart(8) : `${(figure.startupMs / 1000).toFixed(1).padStart(6)} s`}  ${(figure.sdkReturnedMs / 1000).toFixed(1).padStart(10)} s  ${(figure.firstPutToAllAtFourMs / 1000).toFixed(1).padStart(18)} s  ${(figure.barePutMs / 1000).toFixed(1).padStart(10)} s  ${(figure.firstPutToAllAtFourMs / figure.barePutMs).toFixed(2).padStart(5)}  ${mib(figure.idle).padStart(8)}  ${mib(figure.peak).padStart(4)}  ${mib(figure.after).padStart(10)}`,
    );
  });
  const ratios = figures.map((figure) => figure.firstPutToAllAtFourMs / figure.barePutMs);
  say(`ratio (stack ÷ s3rver alone): median ${median(ratios).toFixed(2)}, ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${ratios.length} run(s); goal ≤ 2`);
  if (figures.some((figure) => !figure.ok)) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

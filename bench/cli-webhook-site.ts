/**
 * Issue 22's "Done when", end to end: a 2,000-file site uploaded with the user CLI (`storage upload
 * <dir> --bucket <uuid> --wrap --wait`, cli/bin.mjs as a child process) to a fresh
 * `npm start -- --in-memory` that this bench starts (ports from PORT, LAMBDA_PORT, DYNAMODB_PORT,
 * S3_PORT, else 3170/3172/8170/4570) and stops with Ctrl-C, with the bucket's webhook
 * (`PUT /storage/buckets/:bucketUuid/webhook`) pointing at a real HTTP receiver on 127.0.0.1.
 *
 * The site (the same bytes every run, from a seed): FILES files (default 2,000) of 1 B to 8 KiB in
 * folders nested up to 4 levels, names with spaces and non-ASCII letters (no folder near the
 * importer's sharding threshold of 1,000 entries).
 *
 * After the CLI returned it waits until no webhook call arrived for QUIET seconds (default 20;
 * at most MAX_WAIT seconds, default 300), then checks and prints:
 * - the upload sessions the CLI used (distinct `sessionUuid` of the bucket's files) against the
 *   webhook calls: exactly one call per session, none for another session, distinct `webhook-id`s;
 * - every call verified by `standardwebhooks`' `Webhook.verify` with the secret the PUT returned;
 * - the files the calls list: all FILES, no duplicate (by fileUuid and by path), each with the CID
 *   (and CIDv1) that ipfs-unixfs-importer 7.0.1 (the one @apillon/sdk computes CIDs with,
 *   docs/apillon-sdk-contract.md §3) gives for its bytes;
 * - the directory CID the CLI printed equals the importer's for the whole wrapped folder;
 * - timings: the CLI's run, and from its start and its end to the first and the last call.
 * It exits 1 when any check fails, or when a process of the stack survives Ctrl-C.
 *
 *   npx tsx bench/cli-webhook-site.ts                   (or `npm run bench -- cli-webhook-site`)
 *   npx tsx bench/cli-webhook-site.ts --files 500 --quiet 10
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertPortFree } from '../lib/local/ports';
import { launchLocalStack, type LocalStack, type LocalStackPorts } from '../test/support/local-stack';
import { say } from './figures';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '22' },
    quiet: { type: 'string', default: '20' },
    'max-wait': { type: 'string', default: '300' },
    concurrency: { type: 'string' },
  },
});
const FILES = Number(values.files);
const QUIET_MS = Number(values.quiet) * 1000;
const MAX_WAIT_MS = Number(values['max-wait']) * 1000;
const ROOT = path.resolve(__dirname, '..');
const SITE = 'site';

const envPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PORTS: LocalStackPorts = { http: envPort('PORT', 3170), lambda: envPort('LAMBDA_PORT', 3172), dynamodb: envPort('DYNAMODB_PORT', 8170), s3: envPort('S3_PORT', 4570) };

/** mulberry32: a small seeded PRNG, so every run gets the same site. */
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
  /** Relative to the site folder, `/`-separated (NFC). */
  readonly relative: string;
  readonly content: Buffer;
}

/** Writes FILES small files into `folder`: depth i mod 5, folders shared between files, sizes log-uniform 1 B–8 KiB. */
function writeSite(folder: string, files: number, seed: number): SiteFile[] {
  const random = prng(seed);
  const segments = ['docs', 'Café menu', 'naïve dir', '日本語', 'über uns', 'a b c', 'Ωmega'];
  const names = ['page', 'Résumé', 'data file', 'über', '画像', 'notes ñ', 'index copy', 'Ωdoc'];
  const site: SiteFile[] = [];
  for (let i = 0; i < files; i++) {
    const depth = i % 5;
    const parts: string[] = [];
    for (let level = 0; level < depth; level++) parts.push(`${segments[(i + level * 3) % segments.length]} ${level}-${(i >> 3) % 3}`);
    const bytes = i === 0 ? 1 : Math.round(Math.exp(random() * Math.log(8 * 1024)));
    const content = Buffer.alloc(bytes);
    for (let b = 0; b < bytes; b++) content[b] = (random() * 256) >>> 0;
    const relative = [...parts, `${names[i % names.length]} ${i}.bin`].join('/').normalize('NFC');
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), content);
    site.push({ relative, content });
  }
  return site;
}

/** CIDs as @apillon/sdk's importer (ipfs-unixfs-importer 7.0.1, CIDv1, dag-pb leaves) gives them: each file's, and the wrapped folder's. */
async function importerCids(site: readonly SiteFile[]): Promise<{ files: Map<string, string>; folder: string }> {
  const { importer } = (await import('ipfs-unixfs-importer')) as typeof import('ipfs-unixfs-importer');
  const entries = site.map((file) => ({ path: `${SITE}/${file.relative}`, content: file.content }));
  const wanted = new Set(entries.map((entry) => entry.path));
  const files = new Map<string, string>();
  let folder = '';
  for await (const entry of importer(entries as never, { put: async () => undefined } as never, { cidVersion: 1, rawLeaves: false, onlyHash: true })) {
    if (entry.path === SITE) folder = entry.cid.toString();
    else if (entry.path !== undefined && wanted.has(entry.path)) files.set(entry.path, entry.cid.toString());
  }
  return { files, folder };
}

interface Call {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real receiver on 127.0.0.1: records every call, answers 204. */
async function startReceiver(): Promise<{ url: string; calls: Call[]; close: () => Promise<void> }> {
  const calls: Call[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({ at: Date.now(), headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    calls,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Runs `node cli/bin.mjs <args>` to its end. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'cli/bin.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface ListedFile {
  fileUuid: string;
  name: string;
  path: string | null;
  fileStatus: number;
  sessionUuid: string | null;
  CID: string | null;
}

interface ReadyFile {
  fileUuid: string;
  name: string;
  path: string | null;
  size: number;
  CID: string;
  CIDv1: string;
}

/** `path` + `name` as one `/`-separated path (the API's `path` is the folder, with or without a trailing slash). */
const fullPath = (file: { name: string; path: string | null }): string => {
  const folder = (file.path ?? '').replace(/\/+$/, '');
  return (folder === '' ? file.name : folder.endsWith(`/${file.name}`) || folder === file.name ? folder : `${folder}/${file.name}`).normalize('NFC');
};

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'cli-webhook-site-'));
  const failures: string[] = [];
  const check = (ok: boolean, line: string) => {
    say(`  ${ok ? 'ok  ' : 'FAIL'}  ${line}`);
    if (!ok) failures.push(line);
  };
  let stack: LocalStack | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  try {
    for (const [purpose, port] of Object.entries(PORTS)) await assertPortFree(port, purpose);
    // The bundle cli/bin.mjs runs, built from the current source (as test/e2e/cli.test.ts does).
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build-cli failed: ${built.stderr}`);

    const folder = path.join(work, SITE);
    const site = writeSite(folder, FILES, Number(values.seed));
    const total = site.reduce((sum, file) => sum + file.content.length, 0);
    const expected = await importerCids(site);
    say(`site: ${site.length} files, ${(total / 1024).toFixed(0)} KiB, folders nested up to 4 levels; importer's folder CID ${expected.folder}`);

    receiver = await startReceiver();
    const launchedAt = Date.now();
    stack = await (await launchLocalStack({ ports: PORTS })).ready;
    say(`npm start -- --in-memory on ${stack.baseUrl} (lambda ${PORTS.lambda}, dynamodb ${PORTS.dynamodb}, s3 ${PORTS.s3}): up in ${seconds(Date.now() - launchedAt)}`);
    const headers = { ...stack.headers.basic, 'content-type': 'application/json' };

    const bucket = await stack.request('/storage/buckets', { method: 'POST', headers, body: JSON.stringify({ name: `cli-webhook-${Date.now().toString(36)}` }) });
    if (bucket.status !== 201) throw new Error(`bucket not created: ${bucket.status} ${bucket.text}`);
    const bucketUuid = bucket.body.data.bucketUuid as string;
    const hook = await stack.request(`/storage/buckets/${bucketUuid}/webhook`, { method: 'PUT', headers, body: JSON.stringify({ url: receiver.url }) });
    if (hook.status !== 201) throw new Error(`webhook not set: ${hook.status} ${hook.text}`);
    const secret = hook.body.data.secret as string;
    say(`bucket ${bucketUuid}, webhook → ${receiver.url}`);

    const args = ['upload', folder, '--bucket', bucketUuid, '--wrap', '--wait', ...(values.concurrency ? ['--concurrency', values.concurrency] : [])];
    say(`storage ${args.join(' ').replace(work, '<tmp>')}`);
    const cliStarted = Date.now();
    const cli = await runCli(args, {
      PATH: process.env.PATH,
      HOME: work,
      STORAGE_CLI_CONFIG: path.join(work, 'config', 'config.json'),
      APILLON_API_URL: stack.baseUrl,
      APILLON_API_KEY: stack.credentials.apiKey,
      APILLON_API_SECRET: stack.credentials.apiSecret,
    });
    const cliEnded = Date.now();
    const callsAtCliEnd = receiver.calls.length;
    say(`  CLI exit ${cli.code} after ${seconds(cliEnded - cliStarted)}; stdout: ${cli.stdout.trim() || '(none)'}`);
    for (const line of cli.stderr.trim().split('\n').slice(-3)) say(`  CLI stderr: ${line}`);

    // Until no new call for QUIET_MS after the CLI returned (bounded by MAX_WAIT_MS).
    for (;;) {
      const lastAt = Math.max(cliEnded, receiver.calls.at(-1)?.at ?? 0);
      if (Date.now() - lastAt >= QUIET_MS || Date.now() - cliEnded >= MAX_WAIT_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const calls = [...receiver.calls];
    say(`  ${calls.length} webhook call(s) (${callsAtCliEnd} before the CLI returned); waited ${seconds(Date.now() - cliEnded)} after it`);

    // The bucket's files: the sessions the CLI used (only the CLI uploads into this bucket).
    const listed: ListedFile[] = [];
    for (let page = 1; ; page++) {
      const answer = await stack.request(`/storage/buckets/${bucketUuid}/files?limit=1000&page=${page}`, { headers: stack.headers.basic });
      const items = answer.body?.data?.items as ListedFile[] | undefined;
      if (!items) throw new Error(`file list failed: ${answer.status} ${answer.text}`);
      listed.push(...items);
      if (items.length < 1000) break;
    }
    const sessions = new Set(listed.map((file) => file.sessionUuid ?? '(none)'));
    const reported = /in session ([0-9a-f-]{36})/.exec(cli.stderr)?.[1];

    say('checks:');
    check(cli.code === 0, `the CLI exited 0 (${cli.code})`);
    check(listed.length === FILES && listed.every((file) => file.fileStatus === 4), `the bucket lists ${listed.length} files, ${listed.filter((file) => file.fileStatus === 4).length} at status 4 (want ${FILES})`);
    check(reported !== undefined && sessions.has(reported), `the CLI's reported session ${reported} is among the bucket's sessions`);

    const payloads = calls.map((call) => {
      try {
        return JSON.parse(call.body) as { type: string; bucketUuid: string; sessionUuid: string; files: ReadyFile[] };
      } catch {
        return undefined;
      }
    });
    const perSession = new Map<string, number>();
    for (const payload of payloads) if (payload) perSession.set(payload.sessionUuid, (perSession.get(payload.sessionUuid) ?? 0) + 1);
    const extra = [...perSession.keys()].filter((session) => !sessions.has(session));
    const notOne = [...sessions].filter((session) => perSession.get(session) !== 1);
    check(
      calls.length === sessions.size && notOne.length === 0 && extra.length === 0,
      `upload sessions used by the CLI: ${sessions.size}; webhook calls: ${calls.length}; sessions without exactly one call: ${notOne.length}; calls for another session: ${extra.length}`,
    );
    const ids = calls.map((call) => call.headers['webhook-id']);
    check(new Set(ids).size === ids.length && ids.every(Boolean), `every call has its own webhook-id (${ids.join(', ')})`);
    check(payloads.every((payload) => payload?.type === 'files.ready' && payload.bucketUuid === bucketUuid), `every call is a files.ready event of the bucket`);

    const { Webhook } = (await import('standardwebhooks')) as typeof import('standardwebhooks');
    const verifier = new Webhook(secret);
    const unverified = calls.filter((call) => {
      try {
        verifier.verify(call.body, call.headers as Record<string, string>);
        return false;
      } catch {
        return true;
      }
    });
    check(calls.length > 0 && unverified.length === 0, `standardwebhooks' Webhook.verify accepts ${calls.length - unverified.length} of ${calls.length} call(s)`);

    const sent = payloads.flatMap((payload) => payload?.files ?? []);
    const byPath = new Map<string, ReadyFile>();
    const duplicatePaths: string[] = [];
    for (const file of sent) {
      const key = fullPath(file);
      if (byPath.has(key)) duplicatePaths.push(key);
      byPath.set(key, file);
    }
    const duplicateUuids = sent.length - new Set(sent.map((file) => file.fileUuid)).size;
    const missing = [...expected.files.keys()].filter((key) => !byPath.has(key));
    const unexpected = [...byPath.keys()].filter((key) => !expected.files.has(key));
    check(
      sent.length === FILES && duplicatePaths.length === 0 && duplicateUuids === 0 && missing.length === 0 && unexpected.length === 0,
      `the calls list ${sent.length} files (want ${FILES}): ${duplicatePaths.length} duplicate path(s), ${duplicateUuids} duplicate fileUuid(s), ${missing.length} missing, ${unexpected.length} not in the site`,
    );
    for (const key of [...missing.slice(0, 3), ...unexpected.slice(0, 3), ...duplicatePaths.slice(0, 3)]) say(`        e.g. ${key}`);
    const wrongCid = [...byPath].filter(([key, file]) => expected.files.has(key) && (file.CID !== expected.files.get(key) || file.CIDv1 !== expected.files.get(key)));
    check(
      byPath.size > 0 && wrongCid.length === 0 && missing.length === 0,
      `each listed file's CID and CIDv1 equal ipfs-unixfs-importer 7.0.1's for its bytes: ${byPath.size - wrongCid.length} of ${expected.files.size}`,
    );
    for (const [key, file] of wrongCid.slice(0, 3)) say(`        e.g. ${key}: CID ${file.CID}, CIDv1 ${file.CIDv1}, importer ${expected.files.get(key)}`);
    const sizes = [...byPath].filter(([key, file]) => {
      const local = site.find((entry) => entry.relative === key.slice(SITE.length + 1));
      return local !== undefined && local.content.length !== file.size;
    });
    check(sizes.length === 0, `each listed file's size equals its bytes (${sizes.length} differ)`);
    check(cli.stdout.trim() === expected.folder, `the CLI's directory CID ${cli.stdout.trim() || '(none)'} equals the importer's for the wrapped folder ${expected.folder}`);

    const first = calls[0]?.at;
    const last = calls.at(-1)?.at;
    say('timings:');
    say(`  upload (CLI start → --wait returned)     ${seconds(cliEnded - cliStarted)}`);
    say(`  CLI start → first call / last call       ${seconds(first === undefined ? undefined : first - cliStarted)} / ${seconds(last === undefined ? undefined : last - cliStarted)}`);
    say(`  CLI returned → first call / last call    ${seconds(first === undefined ? undefined : first - cliEnded)} / ${seconds(last === undefined ? undefined : last - cliEnded)} (negative: before it returned)`);
  } finally {
    if (stack) {
      const report = await stack.stop();
      const clean = report.leftovers.length === 0 && report.busyPorts.length === 0;
      say(`stack stopped with Ctrl-C: ${clean ? 'no process left, ports free' : `left ${JSON.stringify(report)}`}`);
      if (!clean) failures.push('processes or ports left after Ctrl-C');
    }
    await receiver?.close();
    rmSync(work, { recursive: true, force: true });
  }
  say(failures.length === 0 ? 'all checks passed' : `${failures.length} check(s) failed`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

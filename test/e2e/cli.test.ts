/**
 * The user CLI (`storage`, cli/) as a child process against the shared local stack, run the way
 * its package `bin` runs it (cli/bin.mjs on the bundle scripts/build-cli.mjs writes): bad
 * credentials, a 250-file upload (two upload-request batches) with --wait printing the directory CID the SDK's own importer
 * gives, an upload killed with SIGKILL and run again, and the progress bar in a pseudo-terminal
 * (util-linux `script`), rendered by a terminal emulator (@xterm/headless) to see that it redraws
 * in place.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Terminal } from '@xterm/headless';
import { importer } from 'ipfs-unixfs-importer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'cli/bin.mjs');

interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the storage CLI against the local stack', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let work: string;
  let env: NodeJS.ProcessEnv;

  /** Runs `storage <args>` to its end (or `kill` it when `until` says so). */
  const cli = (args: string[], options: { env?: NodeJS.ProcessEnv; until?: (child: ChildProcess) => void; stdin?: string } = {}): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...env, ...options.env }, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      if (options.stdin !== undefined) child.stdin!.end(options.stdin); // in one chunk, as `printf 'KEY\nSECRET\n' |` gives it
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      options.until?.(child);
    });

  const newBucket = async (name: string): Promise<string> => {
    const created = await stack.request('/storage/buckets', { method: 'POST', headers: { ...stack.headers.basic, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    expect(created.status).toBe(201);
    return created.body.data.bucketUuid as string;
  };

  /** A folder of files: `{relative: content}`. */
  const folder = (name: string, files: Record<string, string | Buffer>): string => {
    const root = path.join(work, name);
    for (const [relative, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      writeFileSync(path.join(root, relative), content);
    }
    return root;
  };

  /** Every file of a bucket (`GET …/files`). */
  const bucketFiles = async (bucketUuid: string) => {
    const answer = await stack.request(`/storage/buckets/${bucketUuid}/files?limit=1000`, { headers: stack.headers.basic });
    return answer.body.data.items as { fileUuid: string; name: string; path: string; fileStatus: number; status: number; CID: string | null }[];
  };

  beforeAll(async () => {
    stack = await sharedLocalStack();
    work = mkdtempSync(path.join(os.tmpdir(), 'storage-cli-e2e-'));
    // The bundle the package's bin runs (npm ci builds it through `prepare`; built again here so it is the current source).
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    env = {
      PATH: process.env.PATH,
      HOME: work,
      STORAGE_CLI_CONFIG: path.join(work, 'config', 'config.json'),
      APILLON_API_URL: stack.baseUrl,
      APILLON_API_KEY: stack.credentials.apiKey,
      APILLON_API_SECRET: stack.credentials.apiSecret,
    };
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses bad credentials with the API’s error and exit code 1, and login keeps nothing', async () => {
    // act
    const listed = await cli(['buckets'], { env: { APILLON_API_SECRET: 'not-the-secret' } });
    const login = await cli(['login', '--key', stack.credentials.apiKey, '--secret', 'not-the-secret'], { env: { APILLON_API_KEY: '', APILLON_API_SECRET: '' } });
    const missing = await cli(['buckets'], { env: { APILLON_API_KEY: '', APILLON_API_SECRET: '' } });

    // assess
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/^error: .*Invalid API key or API key secret.*HTTP 401/m);
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/HTTP 401/);
    expect(existsSync(env.STORAGE_CLI_CONFIG!)).toBe(false);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No API key or API secret: run `storage login`/);
  });

  it('logs in (config file 0600) and lists buckets with the stored credentials', async () => {
    // act
    const login = await cli(['login', '--key', stack.credentials.apiKey, '--secret', stack.credentials.apiSecret], { env: { APILLON_API_KEY: '', APILLON_API_SECRET: '' } });
    const listed = await cli(['buckets', '--json'], { env: { APILLON_API_KEY: '', APILLON_API_SECRET: '' } });

    // assess
    expect(login.code, login.stderr).toBe(0);
    expect(statSync(env.STORAGE_CLI_CONFIG!).mode & 0o777).toBe(0o600);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { bucketUuid: string }[]).map((bucket) => bucket.bucketUuid)).toContain(stack.bucketUuid);
  });

  it('logs in with the key and secret piped on stdin (one chunk), then uploads with --quiet writing nothing to stderr', async () => {
    // prepare
    const config = path.join(work, 'piped', 'config.json');
    const source = folder('quiet', { 'one.txt': 'one\n', 'two.txt': 'two\n' });
    const bucketUuid = await newBucket('cli-quiet');
    const noKey = { APILLON_API_KEY: '', APILLON_API_SECRET: '', STORAGE_CLI_CONFIG: config };

    // act
    const login = await cli(['login', '--api-url', stack.baseUrl], { env: noKey, stdin: `${stack.credentials.apiKey}\n${stack.credentials.apiSecret}\n` });
    const quiet = await cli(['upload', source, '--bucket', bucketUuid, '--quiet'], { env: noKey });

    // assess
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toBe('');
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ apiKey: stack.credentials.apiKey, apiSecret: stack.credentials.apiSecret });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect((await bucketFiles(bucketUuid)).map((file) => file.name).sort()).toEqual(['one.txt', 'two.txt']);
  }, 120_000);

  it('uploads 250 files (two batches of upload requests) with --wrap --wait and prints the directory CID the SDK’s importer gives', { timeout: 600_000 }, async () => {
    // prepare: 5 folders of 49 files and 5 at the top, past one batch of upload requests (cli/upload.ts MAX_BATCH_FILES,
    // 200); each folder under kubo's and the importer's sharding thresholds. bench/cli-webhook-site.ts runs 2,000.
    const files: Record<string, string> = {};
    for (let index = 0; index < 250; index++) files[index < 5 ? `top-${index}.txt` : `d${index % 5}/file-${index}.txt`] = `file ${index}\n`.repeat(1 + (index % 7));
    const source = folder('site', files);
    const bucketUuid = await newBucket('cli-250');
    let expected = '';
    const entries = Object.entries(files).map(([relative, content]) => ({ path: `site/${relative}`, content: Buffer.from(content) }));
    // ipfs-unixfs-importer 7.0.1 is the one @apillon/sdk computes CIDs with (docs/apillon-sdk-contract.md §3)
    for await (const entry of importer(entries as never, { put: async () => undefined } as never, { cidVersion: 1, rawLeaves: false, onlyHash: true })) {
      if (entry.path === 'site') expected = entry.cid.toString();
    }

    // act
    const started = Date.now();
    const run = await cli(['upload', source, '--bucket', bucketUuid, '--wrap', '--wait', '--concurrency', '8']);
    const seconds = (Date.now() - started) / 1000;

    // assess
    expect(run.code, run.stderr).toBe(0);
    expect(expected).toMatch(/^bafybei/);
    expect(run.stdout.trim()).toBe(expected);
    expect(run.stderr).toMatch(/uploaded 250 files in session [0-9a-f-]{36} under site\//);
    const stored = await bucketFiles(bucketUuid);
    expect(stored.filter((file) => file.fileStatus === 4)).toHaveLength(250);
    expect(stored.every((file) => file.path.startsWith('site/'))).toBe(true);
    if (process.env.TEST_VERBOSE === '1') process.stdout.write(`[cli] 250 files uploaded and at status 4 in ${seconds.toFixed(1)} s\n`);
  });

  it('resumes an upload killed mid-way without sending stored files again or leaving duplicates', { timeout: 300_000 }, async () => {
    // prepare: 60 files of 96 KiB, sent two at a time, so the kill comes mid-upload
    const files: Record<string, Buffer> = {};
    for (let index = 0; index < 60; index++) files[`part-${Math.floor(index / 20)}/blob-${index}.bin`] = Buffer.alloc(96 * 1024, index);
    const source = folder('resumable', files);
    const bucketUuid = await newBucket('cli-resume');
    // a config folder of its own, so only this upload's journal is read
    const config = path.join(work, 'resume-config', 'config.json');
    const journals = path.join(path.dirname(config), 'uploads');
    const storedInJournal = () =>
      existsSync(journals) ? readdirSync(journals).reduce((sum, name) => sum + (readFileSync(path.join(journals, name), 'utf8').match(/"type":"stored"/g)?.length ?? 0), 0) : 0;

    // act: SIGKILL once 20 files are stored, then the same command again
    const killed = await cli(['upload', source, '--bucket', bucketUuid, '--path', 'r', '--concurrency', '2'], {
      env: { STORAGE_CLI_CONFIG: config },
      until: (child) => {
        const timer = setInterval(() => {
          if (storedInJournal() >= 20) {
            clearInterval(timer);
            child.kill('SIGKILL');
          }
        }, 50);
        child.on('close', () => clearInterval(timer));
      },
    });
    const storedBeforeKill = storedInJournal();
    const resumed = await cli(['upload', source, '--bucket', bucketUuid, '--path', 'r', '--wait', '--json'], { env: { STORAGE_CLI_CONFIG: config } });

    // assess
    expect(killed.signal).toBe('SIGKILL');
    expect(storedBeforeKill).toBeGreaterThanOrEqual(20);
    expect(storedBeforeKill).toBeLessThan(60);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as { skipped: number; files: { relative: string; fileStatus: number }[]; directoryCid: string };
    expect(result.skipped).toBeGreaterThanOrEqual(storedBeforeKill);
    expect(result.files).toHaveLength(60);
    expect(result.files.every((file) => file.fileStatus === 4)).toBe(true);
    expect(result.directoryCid).toMatch(/^bafybei/);
    // every record the bucket lists: one per path, all at status 4 (the killed run's unsent requests were withdrawn)
    const stored = await bucketFiles(bucketUuid);
    expect(stored.every((file) => file.fileStatus === 4)).toBe(true);
    const paths = stored.map((file) => `${file.path}${file.name}`);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.sort()).toEqual(Object.keys(files).map((relative) => `r/${relative}`).sort());
    expect(readdirSync(journals)).toEqual([]); // the finished upload's journal is gone
  });

  it('uploads a file over the multipart threshold (multipart routes where the service has them, else one PUT) and prints its CID', { timeout: 180_000 }, async () => {
    // prepare: 3 MiB + 1 byte, over a 1 MiB threshold
    const content = Buffer.alloc(3 * 1024 * 1024 + 1);
    for (let index = 0; index < content.length; index += 4096) content[index] = index % 251;
    const source = folder('large', { 'large.bin': content });
    const bucketUuid = await newBucket('cli-large');
    let expected = '';
    for await (const entry of importer([{ content }] as never, { put: async () => undefined } as never, { cidVersion: 1, rawLeaves: false, onlyHash: true })) expected = entry.cid.toString();

    // act
    const run = await cli(['upload', path.join(source, 'large.bin'), '--bucket', bucketUuid, '--multipart-threshold', '1MiB', '--wait']);

    // assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(expected);
  });

  it('lists, gets, removes and publishes with IPNS', { timeout: 180_000 }, async () => {
    // prepare: one file under docs/
    const source = folder('one', { 'note.txt': 'a note\n' });
    const bucketUuid = await newBucket('cli-misc');
    const uploaded = await cli(['upload', path.join(source, 'note.txt'), '--bucket', bucketUuid, '--path', 'docs', '--wait', '--json']);
    const file = (JSON.parse(uploaded.stdout) as { files: { fileUuid: string; CID: string }[] }).files[0]!;

    // act
    const root = await cli(['ls', '--bucket', bucketUuid]);
    const docs = await cli(['ls', 'docs', '--bucket', bucketUuid, '--json']);
    const byUuid = await cli(['get', file.fileUuid, '--bucket', bucketUuid, '-o', '-']);
    const byCid = await cli(['get', file.CID, '-o', path.join(work, 'fetched.txt')]);
    const created = await cli(['ipns', 'create', 'site', '--bucket', bucketUuid, '--json']);
    const ipnsUuid = (JSON.parse(created.stdout) as { ipnsUuid: string }).ipnsUuid;
    const published = await cli(['ipns', 'publish', ipnsUuid, file.CID, '--bucket', bucketUuid]);
    const names = await cli(['ipns', 'ls', '--bucket', bucketUuid, '--json']);
    const removed = await cli(['rm', file.fileUuid, '--bucket', bucketUuid]);
    const afterRemove = await cli(['ls', 'docs', '--bucket', bucketUuid, '--json']);
    const unknown = await cli(['ls', '--bucket', '00000000-0000-4000-8000-000000000000']);

    // assess
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(root.stdout).toMatch(/^dir\s+docs\s/m);
    expect(JSON.parse(docs.stdout)).toEqual([expect.objectContaining({ name: 'note.txt', fileStatus: 4, CID: file.CID })]);
    expect(byUuid.stdout).toBe('a note\n');
    expect(byCid.code, byCid.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'fetched.txt'), 'utf8')).toBe('a note\n');
    expect(published.stdout).toContain(`/ipfs/${file.CID}`);
    expect(JSON.parse(names.stdout)).toEqual([expect.objectContaining({ ipnsUuid, ipnsValue: `/ipfs/${file.CID}` })]);
    expect(removed.stdout).toMatch(/marked for deletion: note.txt/);
    expect(JSON.parse(afterRemove.stdout)).toEqual([]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: BUCKET_NOT_FOUND \(40406002, HTTP 404\)/m);
  });

  it('draws the progress bar in place on a terminal', { timeout: 300_000 }, async () => {
    // prepare: util-linux `script` gives the CLI a pseudo-terminal and records what it wrote
    const files: Record<string, Buffer> = {};
    for (let index = 0; index < 24; index++) files[`f-${index}.bin`] = Buffer.alloc(64 * 1024, index);
    const source = folder('tty', files);
    const bucketUuid = await newBucket('cli-tty');
    const command = [process.execPath, BIN, 'upload', source, '--bucket', bucketUuid, '--concurrency', '1'].map((arg) => `'${arg}'`).join(' ');

    // act
    const run = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: work, env: { ...env, COLUMNS: '150', LINES: '40', TERM: 'xterm' }, encoding: 'utf8', timeout: 240_000 });
    const screen = new Terminal({ cols: 150, rows: 40, allowProposedApi: true });
    await new Promise<void>((resolve) => screen.write(run.stdout, resolve));
    const buffer = screen.buffer.active;
    const lines = Array.from({ length: buffer.length }, (_, row) => buffer.getLine(row)?.translateToString(true) ?? '');

    // assess: many frames were drawn, and the terminal shows one bar, complete
    expect(run.status, run.stdout).toBe(0);
    const frames = run.stdout.match(/\d+\/24 files/g) ?? [];
    expect(frames.length).toBeGreaterThan(3);
    const bars = lines.filter((line) => /\d+\/24 files/.test(line));
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatch(/100% 24\/24 files · 1\.50 MiB\/1\.50 MiB/);
    // The stack finishes the 24 files before the next e2e file runs: the shared account's usage (which
    // quantum-seed checks to the byte) must not move under another test.
    await expect.poll(async () => (await bucketFiles(bucketUuid)).filter((file) => file.fileStatus === 4).length, { timeout: 120_000, interval: 1_000 }).toBe(24);
  });
});

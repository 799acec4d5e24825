/**
 * What each `storage` command does (main.ts parses the arguments). Everything goes through the
 * public API (api.ts): listing, download through the gateway link the API gives, IPNS.
 */
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiClient, ApiError, NetworkError, type Credentials } from './api';
import { configPath, readConfig, resolveCredentials, stateDirectory, writeConfig, DEFAULT_API_URL } from './config';
import type { Actions, GlobalOptions, Io } from './main';
import { looksLikeCid } from './options';
import { formatBytes, PlainReporter, silentReporter, terminalReporter, type ProgressReporter } from './progress';
import { Prompter } from './prompt';
import { upload } from './upload';

type Env = Record<string, string | undefined>;

/** The real actions, printing to `io`. */
export function createActions(io: Io, env: Env = process.env, stderr: NodeJS.WriteStream = process.stderr, stdin: NodeJS.ReadStream = process.stdin): Actions {
  // `quiet`: nothing on stderr but errors (retries are not errors: the one that fails for good is reported).
  const client = (options: GlobalOptions & { quiet?: boolean }) =>
    new ApiClient(resolveCredentials(options, env, configPath(env)), undefined, (what, attempt, delayMs, reason) => {
      if (!options.quiet) io.writeErr(`retrying ${what} in ${(delayMs / 1000).toFixed(1)}s (attempt ${attempt + 1}; ${reason})\n`);
    });
  const print = (json: boolean | undefined, value: unknown, lines: () => string[]) => io.writeOut(json ? `${JSON.stringify(value, null, 2)}\n` : lines().map((line) => `${line}\n`).join(''));

  return {
    async login(options) {
      const stored = readConfig(configPath(env));
      const apiUrl = options.apiUrl || env.APILLON_API_URL || stored.apiUrl || DEFAULT_API_URL;
      let key = options.key;
      let secret = options.secret;
      if (key === undefined || secret === undefined) {
        // One prompt for both answers: piped answers usually come in one chunk (cli/prompt.ts).
        const prompt = new Prompter(stdin, stderr);
        try {
          key ??= await prompt.ask('API key: ');
          secret ??= await prompt.ask('API secret: ', { hidden: true });
        } finally {
          prompt.close();
        }
      }
      if (!key || !secret) throw new Error('an API key and an API secret are both needed (asked on stdin, or --key and --secret).');
      const credentials: Credentials = { apiUrl, apiKey: key, apiSecret: secret };
      // Checked before anything is written: GET /storage/info needs only valid credentials.
      await new ApiClient(credentials).get('/storage/info');
      writeConfig({ apiUrl, apiKey: key, apiSecret: secret }, configPath(env));
      io.writeOut(`Logged in to ${apiUrl}; credentials kept in ${configPath(env)} (mode 0600).\n`);
    },

    async buckets(options) {
      const items = await listAll<Bucket>(client(options), '/storage/buckets');
      print(options.json, items, () => table(['BUCKET', 'NAME', 'SIZE', 'CREATED'], items.map((b) => [b.bucketUuid, b.name, formatBytes(b.size ?? 0), b.createTime ?? ''])));
    },

    async bucketCreate(name, options) {
      const bucket = await client(options).post<Bucket>('/storage/buckets', { body: { name, ...(options.description ? { description: options.description } : {}) } });
      print(options.json, bucket, () => [bucket.bucketUuid]);
    },

    async info(options) {
      const info = await client(options).get<Record<string, number>>('/storage/info');
      print(options.json, info, () => [`used      ${formatBytes(info.usedStorage ?? 0)}`, `available ${formatBytes(info.availableStorage ?? 0)}`, `bandwidth ${formatBytes(info.usedBandwidth ?? 0)} used this month`]);
    },

    async upload(source, options) {
      const api = client(options);
      const folderName = path.basename(path.resolve(source));
      const directoryPath = options.path ?? (options.wrap ? folderName : '');
      const reporter: ProgressReporter = options.quiet || options.json ? silentReporter : stderr.isTTY ? await terminalReporter(stderr) : new PlainReporter(stderr);
      const result = await upload(
        api,
        { source, bucketUuid: options.bucket, directoryPath, wait: !!options.wait, concurrency: options.concurrency, multipartThreshold: options.multipartThreshold, waitTimeoutMs: options.waitTimeout * 1000, stateDirectory: stateDirectory(env) },
        reporter,
      );
      if (options.json) io.writeOut(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const sent = result.files.length - result.skipped;
        if (!options.quiet) io.writeErr(`uploaded ${sent} file${sent === 1 ? '' : 's'}${result.skipped ? `, ${result.skipped} already stored` : ''} in session ${result.sessionUuid}${directoryPath ? ` under ${directoryPath}/` : ''}\n`);
        if (result.directoryCid) io.writeOut(`${result.directoryCid}\n`);
        else if (options.wait && result.files.length === 1 && result.files[0]!.CID) io.writeOut(`${result.files[0]!.CID}\n`);
        else if (options.wait) for (const file of result.files) io.writeOut(`${file.CID ?? '-'}  ${file.relative}\n`);
      }
      if (result.failures.length > 0) {
        for (const failure of result.failures) io.writeErr(`failed: ${failure.relative}: ${failure.reason}\n`);
        throw new Error(`${result.failures.length} file${result.failures.length === 1 ? '' : 's'} not uploaded; run the same command again to retry them (stored files are not sent again).`);
      }
    },

    async ls(directoryPath, options) {
      const api = client(options);
      const directoryUuid = directoryPath ? await findDirectory(api, options.bucket, directoryPath) : undefined;
      const items = await listAll<ContentItem>(api, `/storage/buckets/${options.bucket}/content`, { directoryUuid, orderBy: 'name' });
      print(options.json, items, () =>
        table(
          ['TYPE', 'NAME', 'SIZE', 'STATUS', 'CID', 'UUID'],
          items.map((item) => [item.type === 1 ? 'dir' : 'file', item.name, item.type === 1 ? '' : formatBytes(item.size ?? 0), item.type === 1 ? '' : String(item.fileStatus ?? ''), item.CID ?? '-', item.uuid]),
        ),
      );
    },

    async get(id, options) {
      let link: string;
      let name: string;
      if (options.bucket) {
        const api = client(options);
        // The seed's detail route takes a fileUuid or a CID (SPEC §3).
        const detail = await api.get<{ file: { name: string; downloadLink: string | null; fileStatus: number } }>(`/storage/${options.bucket}/file/${encodeURIComponent(id)}/detail`);
        if (!detail.file.downloadLink) throw new Error(`${detail.file.name}: no download link (file status ${detail.file.fileStatus}; a file gets one at status 3, in a public bucket).`);
        link = detail.file.downloadLink;
        name = detail.file.name;
      } else {
        if (!looksLikeCid(id)) throw new Error(`${id} is not a CID: give --bucket to get a file by its fileUuid.`);
        const { apiUrl } = resolveCredentials(options, env, configPath(env));
        link = `${apiUrl.replace(/\/+$/, '')}/ipfs/${id}`;
        name = id;
      }
      const response = await fetch(link);
      if (!response.ok || !response.body) throw new Error(`GET ${link}: HTTP ${response.status}`);
      const output = options.output ?? name;
      if (output === '-') {
        await pipeline(Readable.fromWeb(response.body as never), process.stdout);
        return;
      }
      if (existsSync(output) && !options.force) throw new Error(`${output} exists (use --force to overwrite, or -o).`);
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(output));
      io.writeErr(`saved ${output}\n`);
    },

    async rm(fileUuid, options) {
      const file = await client(options).delete<{ name?: string; status?: number }>(`/storage/buckets/${options.bucket}/files/${fileUuid}`);
      print(options.json, file, () => [`marked for deletion: ${file?.name ?? fileUuid}`]);
    },

    async ipnsCreate(name, options) {
      const created = await client(options).post<Ipns>(`/storage/buckets/${options.bucket}/ipns`, {
        body: { name, ...(options.description ? { description: options.description } : {}), ...(options.cid ? { cid: options.cid } : {}) },
      });
      print(options.json, created, () => [`${created.ipnsUuid}  ${created.ipnsName}${created.ipnsValue ? `  → ${created.ipnsValue}` : ''}`]);
    },

    async ipnsPublish(ipnsUuid, cid, options) {
      const published = await client(options).post<Ipns>(`/storage/buckets/${options.bucket}/ipns/${ipnsUuid}/publish`, { body: { cid }, retry: true });
      print(options.json, published, () => [`${published.ipnsName} → ${published.ipnsValue}`, ...(published.link ? [published.link] : [])]);
    },

    async ipnsLs(options) {
      const items = await listAll<Ipns>(client(options), `/storage/buckets/${options.bucket}/ipns`);
      print(options.json, items, () => table(['UUID', 'NAME', 'IPNS NAME', 'VALUE'], items.map((item) => [item.ipnsUuid, item.name, item.ipnsName, item.ipnsValue ?? '-'])));
    },
  };
}

interface Bucket {
  bucketUuid: string;
  name: string;
  size?: number;
  createTime?: string;
}
interface ContentItem {
  type: number;
  uuid: string;
  name: string;
  size?: number | null;
  fileStatus?: number | null;
  CID?: string | null;
}
interface Ipns {
  ipnsUuid: string;
  name: string;
  ipnsName: string;
  ipnsValue: string | null;
  link?: string | null;
}

/** Every item of a paged list (`{items, total}`, 1000 a page at most, SPEC §3). */
async function listAll<T>(api: ApiClient, route: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await api.get<{ items: T[]; total: number }>(route, { query: { ...query, limit: 1000, page } });
    all.push(...answer.items);
    if (answer.items.length === 0 || all.length >= answer.total) return all;
  }
}

/** The uuid of the directory at `directoryPath` (`a/b`), walked down from the root; an error naming the missing part. */
async function findDirectory(api: ApiClient, bucketUuid: string, directoryPath: string): Promise<string> {
  let parent: string | undefined;
  let walked = '';
  for (const name of directoryPath.split('/')) {
    walked = walked ? `${walked}/${name}` : name;
    const { items } = await api.get<{ items: ContentItem[] }>(`/storage/buckets/${bucketUuid}/content`, { query: { directoryUuid: parent, search: name, limit: 1000 } });
    const found = items.find((item) => item.type === 1 && item.name === name);
    if (!found) throw new Error(`no directory ${walked} in bucket ${bucketUuid}`);
    parent = found.uuid;
  }
  return parent!;
}

/** Columns padded to their widest cell. */
function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['(none)'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** A person's one-line description of a failure: the API's code and name where there is one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  if (error instanceof NetworkError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

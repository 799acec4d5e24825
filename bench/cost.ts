/**
 * Issue 24's cost model: what each operation costs on AWS, from units measured on a fresh local stack
 * (`npm start -- --in-memory`, started here on free ports, stopped with Ctrl-C at the end).
 *
 * The stack runs with AWS_CALL_RECORD_DIR and AWS_CALL_RECORD_CAPACITY=1: every SDK call of every function
 * is recorded (lib/store/aws-call-record.ts), each DynamoDB call with `ReturnConsumedCapacity: 'INDEXES'`
 * and the units DynamoDB Local reported per table and index, and every Lambda invocation with its duration
 * and its function's memorySize (lib/local/lambda-pool.ts). Each operation runs alone; the bench waits for
 * its files at status 4 (read from the table by its own, unrecorded client) and then for the recordings to
 * stay still 5 s (the directory CID recomputes, `DelaySeconds` 2, included), and prices what was recorded
 * in between (bench/cost-model.ts) beside the operation's floor.
 *
 * Operations: Apillon 1-file upload (upload call, PUT, session end, 1 → 4), a 200-file session into one
 * folder, a 2,000-file site in nested folders ended with `wrapWithDirectory`, a Quantum 1-file `file/add`,
 * a download with a one-time token (`file/get` + `file/download`), a list page (20 entries of a 200-entry
 * folder), an IPNS publish. The small ones run REPS times (median and spread), the two large ones once.
 *
 *   npm run bench -- cost                 (REPS 3, a 2,000-file site)
 *   npm run bench -- cost --reps 5 --site 500
 *
 * Last line: `cost: worst upload path N.Nx its floor, worst read N.Nx its floor` (goal: uploads ≤ 2×, reads ≤ 1.5×).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../lib/local/dynamodb-local';
import { INVOCATION_RECORD_FILE, type RecordedInvocation } from '../lib/local/lambda-pool';
import type { RecordedCall } from '../lib/store/aws-call-record';
import { launchLocalStack, type LocalStack } from '../test/support/local-stack';
import { addCalls, addInvocations, emptyUsage, floorLambda, floors, itemBytes, priceOf, PRICES, SCHEDULED_FUNCTIONS, shortName, type Usage } from './cost-model';
import { say } from './figures';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    site: { type: 'string', default: '2000' },
    session: { type: 'string', default: '200' },
    'quiet-ms': { type: 'string', default: '5000' },
  },
});
const REPS = Number(values.reps);
const SITE_FILES = Number(values.site);
const SESSION_FILES = Number(values.session);
const QUIET_MS = Number(values['quiet-ms']);
const TABLE = 'storage-service-local';
/** The SDK's batch: files per upload call (node_modules/@apillon/sdk/dist/util/file-utils.js, fileChunkSize). */
const SDK_BATCH = 200;

/** Reads what the stack's functions recorded since the last mark. */
class Recordings {
  private offsets = new Map<string, number>();
  constructor(readonly directory: string) {}

  private files(): string[] {
    return existsSync(this.directory) ? readdirSync(this.directory).filter((name) => name.endsWith('.jsonl') || name === INVOCATION_RECORD_FILE) : [];
  }

  /** Bytes recorded so far (all files). */
  size(): number {
    return this.files().reduce((sum, name) => sum + statSync(path.join(this.directory, name)).size, 0);
  }

  mark(): void {
    for (const name of this.files()) this.offsets.set(name, statSync(path.join(this.directory, name)).size);
  }

  /** The lines appended since the last mark, the scheduled functions' apart. */
  sinceMark(): { calls: RecordedCall[]; invocations: RecordedInvocation[]; scheduled: number } {
    const calls: RecordedCall[] = [];
    const invocations: RecordedInvocation[] = [];
    let scheduled = 0;
    for (const name of this.files()) {
      const text = readFileSync(path.join(this.directory, name)).subarray(this.offsets.get(name) ?? 0).toString('utf8');
      const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      if (name === INVOCATION_RECORD_FILE) {
        for (const line of lines as RecordedInvocation[]) {
          if (SCHEDULED_FUNCTIONS.has(shortName(line.function))) scheduled += 1;
          else invocations.push(line);
        }
      } else if (name.startsWith('storage-service-local-')) {
        // process.jsonl: the start script's own calls (seeding), never an operation's.
        if (!SCHEDULED_FUNCTIONS.has(shortName(name.replace(/\.jsonl$/, '')))) calls.push(...(lines as RecordedCall[]));
      }
    }
    return { calls, invocations, scheduled };
  }
}

interface Measured {
  readonly usage: Usage;
  readonly floor: number;
  readonly files: number;
  readonly ms: number;
}

interface Operation {
  readonly label: string;
  readonly kind: 'upload' | 'read' | 'other';
  /** How its floor is made, in words. */
  readonly floorText: string;
  readonly runs: Measured[];
}

async function main(): Promise<void> {
  const recordDirectory = mkdtempSync(path.join(os.tmpdir(), 'cost-bench-calls-'));
  const recordings = new Recordings(recordDirectory);
  const startedAt = Date.now();
  const launched = await launchLocalStack({ env: { AWS_CALL_RECORD_DIR: recordDirectory, AWS_CALL_RECORD_CAPACITY: '1', DYNAMODB_LOCAL_START_SECONDS: process.env.DYNAMODB_LOCAL_START_SECONDS ?? '180', LOCAL_LAMBDA_QUEUE_WAIT_SECONDS: '120' } });
  const stack = await launched.ready;
  say(`npm start -- --in-memory: up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; table ${describeTable()}; load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${stack.ports.dynamodb}`, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
  );
  const operations: Operation[] = [];
  let scheduledInvocations = 0;
  try {
    const bench = benchActions(stack, dynamo, recordings);
    const measure = async (run: () => Promise<{ files: number; uploads: number; floor: number; waitFor?: () => Promise<void> }>): Promise<Measured> => {
      await bench.quiet();
      recordings.mark();
      const started = Date.now();
      const result = await run();
      await result.waitFor?.();
      await bench.quiet();
      const ms = Date.now() - started;
      const { calls, invocations, scheduled } = recordings.sinceMark();
      scheduledInvocations += scheduled;
      const usage = addInvocations(addCalls(emptyUsage(), calls), invocations);
      // S3 sends each uploads/ ObjectCreated notification to the queue: one SendMessage per object PUT there.
      usage.sqsRequests += result.uploads;
      return { usage, floor: result.floor, files: result.files, ms };
    };
    const operation = (label: string, kind: Operation['kind'], floorText: string): Operation => {
      const op: Operation = { label, kind, floorText, runs: [] };
      operations.push(op);
      return op;
    };

    // Set-up (not measured): a Quantum bucket, the folder the list page reads, an IPNS name per rep.
    const quantum = await bench.quantumBucket(`cost-${Date.now().toString(36)}`);
    const uploadFloor = `${'per file: 1 S3 PUT + 1 Lambda invocation (1 ms at 128 MB)'}`;

    const single = operation('Apillon 1-file upload 1→4', 'upload', uploadFloor);
    for (let rep = 0; rep < REPS; rep++) single.runs.push(await measure(() => bench.apillonUpload({ files: 1, folder: () => `single-${rep}` })));

    const session = operation(`${SESSION_FILES}-file session 1→4`, 'upload', uploadFloor);
    session.runs.push(await measure(() => bench.apillonUpload({ files: SESSION_FILES, folder: () => 'session-folder' })));

    const site = operation(`${SITE_FILES}-file site, wrapWithDirectory`, 'upload', uploadFloor);
    site.runs.push(
      await measure(() =>
        bench.apillonUpload({
          files: SITE_FILES,
          // A site: folders up to 4 levels deep, 20 folders in all.
          folder: (i) => ['site', `section-${i % 5}`, `part-${i % 4}`, `page-${i % 3}`].slice(0, 1 + (i % 4)).join('/'),
          wrap: 'www/v1',
        }),
      ),
    );

    const quantumAdd = operation('Quantum 1-file add 1→4', 'upload', uploadFloor);
    for (let rep = 0; rep < REPS; rep++) quantumAdd.runs.push(await measure(() => bench.quantumAdd(quantum, `q/file-${rep}.txt`)));

    const download = operation('download with token (file/get + file/download)', 'read', '2 requests × (API Gateway + 1 Lambda at 1 ms, 128 MB) + 1 S3 GET + 2 write units (the token issued, then spent)');
    for (let rep = 0; rep < REPS; rep++) download.runs.push(await measure(() => bench.download(quantum, `q/file-${rep}.txt`)));

    const list = operation('list page (20 of 200 entries, by name)', 'read', '1 request × (API Gateway + 1 Lambda at 1 ms, 128 MB) + the page\'s 20 items read once, eventually consistent');
    const folderUuid = await bench.directoryUuid('session-folder');
    for (let rep = 0; rep < REPS; rep++) list.runs.push(await measure(() => bench.listPage(folderUuid)));

    const ipns = operation('IPNS publish', 'other', '1 request × (API Gateway + 1 Lambda at 1 ms, 128 MB) + 1 standard write of the signed record');
    const cid = await bench.anyCid();
    for (let rep = 0; rep < REPS; rep++) {
      const ipnsUuid = await bench.ipnsName(`cost-${rep}`);
      ipns.runs.push(await measure(() => bench.ipnsPublish(ipnsUuid, cid)));
    }
  } finally {
    const report = await stack.stop();
    if (report.leftovers.length > 0 || report.busyPorts.length > 0) {
      say(`Ctrl-C left processes or ports: ${JSON.stringify(report)}`);
      process.exitCode = 1;
    }
    rmSync(recordDirectory, { recursive: true, force: true });
  }
  say(`load average at the end ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} (${os.cpus().length} cores): Lambda durations grow with it`);
  printReport(operations, scheduledInvocations);
}

/** The table the stack made (infra/storage-table.json): its indexes and their projections. */
function describeTable(): string {
  const table = JSON.parse(readFileSync(path.join(__dirname, '..', 'infra', 'storage-table.json'), 'utf8')) as {
    GlobalSecondaryIndexes: { IndexName: string; Projection: { ProjectionType: string } }[];
  };
  const counts = new Map<string, number>();
  for (const index of table.GlobalSecondaryIndexes) counts.set(index.Projection.ProjectionType, (counts.get(index.Projection.ProjectionType) ?? 0) + 1);
  return `${table.GlobalSecondaryIndexes.length} GSIs (${[...counts].map(([type, count]) => `${count} ${type}`).join(', ')})`;
}

/** The bench's requests to the stack and its own (unrecorded) reads of the table. */
function benchActions(stack: LocalStack, dynamo: DynamoDBDocumentClient, recordings: Recordings) {
  const bucketUuid = stack.bucketUuid;
  const json = (method: string, headers: Record<string, string>, body?: unknown): RequestInit => ({
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const ok = async <T = any>(pathAndQuery: string, init: RequestInit, expect: number[] = [200, 201]): Promise<T> => {
    // A loaded machine: long waits, and a 503 SERVICE_BUSY (refused before any function ran: nothing recorded) is tried again.
    let response = await stack.request<T>(pathAndQuery, { ...init, signal: AbortSignal.timeout(300_000) });
    for (let attempt = 0; response.status === 503 && attempt < 10; attempt++) {
      await sleep(2000);
      response = await stack.request<T>(pathAndQuery, { ...init, signal: AbortSignal.timeout(300_000) });
    }
    if (!expect.includes(response.status)) throw new Error(`${init.method ?? 'GET'} ${pathAndQuery} answered ${response.status}: ${response.text.slice(0, 300)}`);
    return response.body;
  };
  const entryStatus = async (uuids: readonly string[]): Promise<number> => {
    let atFour = 0;
    for (let i = 0; i < uuids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = uuids.slice(i, i + 100).map((uuid) => ({ pk: `ENTRY#${uuid}`, sk: 'ENTRY' }));
      while (keys && keys.length > 0) {
        const { Responses, UnprocessedKeys } = await dynamo.send(
          new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: keys, ProjectionExpression: 'fileStatus', ConsistentRead: true } } }),
        );
        atFour += (Responses?.[TABLE] ?? []).filter((item) => item.fileStatus === 4).length;
        keys = UnprocessedKeys?.[TABLE]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return atFour;
  };
  const waitAtFour = async (uuids: readonly string[]): Promise<void> => {
    const deadline = Date.now() + 20 * 60_000;
    while ((await entryStatus(uuids)) < uuids.length) {
      if (Date.now() > deadline) throw new Error(`files not at status 4 after 20 minutes (${uuids.length} awaited)`);
      await sleep(uuids.length > 100 ? 2000 : 300);
    }
  };
  const get = async (key: { pk: string; sk: string }) => (await dynamo.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;

  return {
    /** Waits until nothing has been recorded for QUIET_MS (at most 5 minutes). */
    async quiet(): Promise<void> {
      const deadline = Date.now() + 5 * 60_000;
      let size = recordings.size();
      let stillSince = Date.now();
      while (Date.now() - stillSince < QUIET_MS && Date.now() < deadline) {
        await sleep(250);
        const now = recordings.size();
        if (now !== size) {
          size = now;
          stillSince = Date.now();
        }
      }
    },

    async quantumBucket(name: string): Promise<{ name: string; bucketUuid: string }> {
      await ok(`/API/bucket/create/${name}`, json('POST', stack.headers.master));
      const buckets = await ok<{ data: { items: { bucketUuid: string; name: string }[] } }>('/storage/buckets?limit=100', json('GET', stack.headers.master));
      const bucket = buckets.data.items.find((item) => item.name === name);
      if (!bucket) throw new Error(`Quantum bucket ${name} not in the bucket list`);
      return { name, bucketUuid: bucket.bucketUuid };
    },

    /** The SDK's upload: calls of up to 200 files, each file PUT to its URL, then the session's end. */
    async apillonUpload(input: { files: number; folder: (i: number) => string; wrap?: string }) {
      const sessionUuid = randomUUID();
      const uploaded: { url: string; fileUuid: string }[] = [];
      for (let start = 0; start < input.files; start += SDK_BATCH) {
        const files = Array.from({ length: Math.min(SDK_BATCH, input.files - start) }, (_, k) => ({
          fileName: `file ${start + k}.txt`, path: input.folder(start + k), contentType: 'text/plain',
        }));
        const answer = await ok<{ data: { files: { url: string; fileUuid: string }[] } }>(
          `/storage/buckets/${bucketUuid}/upload`, json('POST', stack.headers.basic, { files, sessionUuid }),
        );
        await inParallel(answer.data.files, 16, async (file, k) => {
          // s3rver on a loaded machine may drop a connection: a PUT is tried again (its URL is valid 60 s).
          for (let attempt = 1; ; attempt++) {
            try {
              const response = await fetch(file.url, { method: 'PUT', body: `cost bench ${sessionUuid} ${start + k}\n` });
              if (!response.ok) throw new Error(`PUT answered ${response.status}`);
              await response.arrayBuffer();
              return;
            } catch (error) {
              if (attempt >= 3) throw error;
              await sleep(500);
            }
          }
        });
        uploaded.push(...answer.data.files);
      }
      await ok(
        `/storage/buckets/${bucketUuid}/upload/${sessionUuid}/end`,
        json('POST', stack.headers.basic, input.wrap ? { wrapWithDirectory: true, directoryPath: input.wrap } : {}),
      );
      return { files: input.files, uploads: input.files, floor: floors.upload(input.files), waitFor: () => waitAtFour(uploaded.map((file) => file.fileUuid)) };
    },

    async quantumAdd(bucket: { name: string; bucketUuid: string }, filePath: string) {
      const form = new FormData();
      form.append('files', new Blob([`cost bench ${filePath}\n`], { type: 'text/plain' }), path.posix.basename(filePath));
      await ok(`/API/file/add/${bucket.name}/${path.posix.dirname(filePath)}`, { method: 'POST', headers: stack.headers.master, body: form });
      const waitFor = async () => {
        const claim = await get({ pk: `PATH#${bucket.bucketUuid}`, sk: filePath });
        if (!claim) throw new Error(`no path claim for ${filePath}`);
        await waitAtFour([claim.entryUuid as string]);
      };
      // Quantum stages the bytes at their final key itself: no uploads/ object, no S3 notification.
      return { files: 1, uploads: 0, floor: floors.upload(1), waitFor };
    },

    async download(bucket: { name: string }, filePath: string) {
      const token = await ok<{ data: { file_token: string } }>(`/API/file/get/${bucket.name}/${filePath}`, json('GET', stack.headers.master));
      const response = await fetch(`${stack.baseUrl}/API/file/download/${token.data.file_token}`);
      if (response.status !== 200) throw new Error(`download answered ${response.status}`);
      await response.arrayBuffer();
      return { files: 1, uploads: 0, floor: floors.read({ requests: 2, s3Gets: 1, writeUnits: 2 }) };
    },

    async directoryUuid(name: string): Promise<string> {
      const listed = await ok<{ data: { items: { type: number; name: string; uuid: string }[] } }>(
        `/storage/buckets/${bucketUuid}/content?limit=100`, json('GET', stack.headers.basic),
      );
      const directory = listed.data.items.find((item) => item.name === name);
      if (!directory) throw new Error(`no folder ${name} at the root`);
      return directory.uuid;
    },

    async listPage(directoryUuid: string) {
      const listed = await ok<{ data: { items: { uuid: string }[] } }>(
        `/storage/buckets/${bucketUuid}/content?directoryUuid=${directoryUuid}&limit=20&orderBy=name`, json('GET', stack.headers.basic),
      );
      // The floor reads the answered items once: their bytes (the documented item size), in 4 KB units, halved (eventually consistent).
      const { Responses } = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: listed.data.items.map((item) => ({ pk: `ENTRY#${item.uuid}`, sk: 'ENTRY' })) } } }),
      );
      const bytes = (Responses?.[TABLE] ?? []).reduce((sum, item) => sum + itemBytes(item), 0);
      return { files: 0, uploads: 0, floor: floors.read({ requests: 1, readUnits: 0.5 * Math.ceil(bytes / 4096) }) };
    },

    async anyCid(): Promise<string> {
      const { Items } = await dynamo.send(
        new QueryCommand({ TableName: TABLE, IndexName: 'ByBucketFiles', KeyConditionExpression: 'filesPk = :p', ExpressionAttributeValues: { ':p': `FILES#${bucketUuid}` }, Limit: 1 }),
      );
      const entry = await get({ pk: String(Items?.[0]?.pk), sk: 'ENTRY' });
      if (typeof entry?.cidV1 !== 'string') throw new Error('no file with a CID');
      return entry.cidV1;
    },

    async ipnsName(name: string): Promise<string> {
      const created = await ok<{ data: { ipnsUuid: string } }>(`/storage/buckets/${bucketUuid}/ipns`, json('POST', stack.headers.basic, { name }));
      return created.data.ipnsUuid;
    },

    async ipnsPublish(ipnsUuid: string, cid: string) {
      await ok(`/storage/buckets/${bucketUuid}/ipns/${ipnsUuid}/publish`, json('POST', stack.headers.basic, { cid }));
      const record = await get({ pk: `IPNS#${ipnsUuid}`, sk: 'IPNS' });
      const writeUnits = Math.ceil(itemBytes(record ?? {}) / 1024);
      return { files: 0, uploads: 0, floor: floors.read({ requests: 1, writeUnits }) };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

const usd = (value: number) => `$${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)}`;
const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The run of `op` whose total price is the median one. */
function medianRun(op: Operation): Measured {
  const sorted = [...op.runs].sort((a, b) => priceOf(a.usage).total - priceOf(b.usage).total);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function printReport(operations: readonly Operation[], scheduledInvocations: number): void {
  say('\nPrices (us-east-1, USD per million): DynamoDB on-demand write unit 0.625, read unit 0.125; S3 PUT/COPY/POST/LIST 5.00,');
  say('GET/HEAD 0.40; SQS request 0.40; Lambda request 0.20 + 13.3334 per million GB-s (arm64); API Gateway HTTP API request 1.00');
  say('(bench/cost-model.ts: the pricing pages and their date). Lambda GB-s are durations measured on this machine\'s emulators at each');
  say(`function's configured memorySize; DynamoDB units as DynamoDB Local reported them per table and index (ReturnConsumedCapacity INDEXES).`);
  const ratios: { kind: Operation['kind']; label: string; ratio: number }[] = [];
  for (const op of operations) {
    const run = medianRun(op);
    const u = run.usage;
    const price = priceOf(u);
    const perMillion = (value: number) => usd(value * 1e6);
    const totals = op.runs.map((r) => priceOf(r.usage).total * 1e6);
    const ratio = price.total / run.floor;
    ratios.push({ kind: op.kind, label: op.label, ratio });
    say(`\n## ${op.label}${op.runs.length > 1 ? ` (median of ${op.runs.length} runs; total ${usd(Math.min(...totals))}–${usd(Math.max(...totals))} per million)` : ''}, ${(run.ms / 1000).toFixed(1)} s`);
    say('  what                          units per op   per file   USD per million ops');
    const perFile = (value: number) => (run.files > 1 ? units(Math.round((value / run.files) * 100) / 100).padStart(9) : ''.padStart(9));
    const row = (what: string, value: number, dollars?: number) =>
      say(`  ${what.padEnd(30)}${units(Math.round(value * 1000) / 1000).padStart(12)}  ${perFile(value)}   ${dollars === undefined ? '' : perMillion(dollars).padStart(12)}`);
    row('DynamoDB write units', u.writeUnits, u.writeUnits * PRICES.dynamoWriteUnit);
    for (const [where, value] of Object.entries(u.writeUnitsBy).sort((a, b) => b[1] - a[1])) row(`  ${where}`, value);
    row('DynamoDB read units', u.readUnits, u.readUnits * PRICES.dynamoReadUnit);
    for (const [where, value] of Object.entries(u.readUnitsBy).sort((a, b) => b[1] - a[1])) row(`  ${where}`, value);
    row('DynamoDB requests', u.dynamoRequests);
    if (u.dynamoFailed > 0) row('  of which failed (unpriced)', u.dynamoFailed);
    row('S3 PUT/COPY/POST/LIST', u.s3ClassA, u.s3ClassA * PRICES.s3ClassA);
    row('S3 GET/HEAD', u.s3ClassB, u.s3ClassB * PRICES.s3ClassB);
    if (u.s3Free > 0) row('S3 DELETE (free)', u.s3Free);
    row('SQS requests', u.sqsRequests, price.sqs);
    row('Lambda invocations', u.lambdaInvocations, u.lambdaInvocations * PRICES.lambdaRequest);
    say(`    ${Object.entries(u.invocationsBy).map(([name, count]) => `${name} ×${count}`).join(', ')}`);
    row('Lambda GB-s', u.lambdaGbSeconds, u.lambdaGbSeconds * PRICES.lambdaGbSecond);
    row('API Gateway requests', u.httpApiRequests, price.httpApi);
    say(`  ${'total'.padEnd(30)}${''.padStart(12)}  ${''.padStart(9)}   ${perMillion(price.total).padStart(12)}`);
    say(`  ${'floor'.padEnd(30)}${''.padStart(12)}  ${''.padStart(9)}   ${perMillion(run.floor).padStart(12)}   (${op.floorText})`);
    say(`  ${'ratio'.padEnd(30)}${''.padStart(12)}  ${''.padStart(9)}   ${`${ratio.toFixed(1)}x`.padStart(12)}   (without Lambda duration: ${((price.total - u.lambdaGbSeconds * PRICES.lambdaGbSecond) / run.floor).toFixed(1)}x)`);
  }
  say(`\nScheduled functions ran ${scheduledInvocations} times during the run (left out: a fixed cost, not a per-operation one).`);
  say(`Floor Lambda: ${usd(floorLambda() * 1e6)} per million (request + 1 ms at 128 MB).`);
  say('\nsummary                                              USD per million ops   per file   floor    ratio');
  for (const op of operations) {
    const run = medianRun(op);
    const total = priceOf(run.usage).total;
    say(`  ${op.label.padEnd(52)}${usd(total * 1e6).padStart(12)}  ${run.files > 1 ? usd((total / run.files) * 1e6).padStart(9) : ''.padStart(9)}  ${usd(run.floor * 1e6).padStart(8)}  ${`${(total / run.floor).toFixed(1)}x`.padStart(6)}`);
  }
  const worst = (kind: Operation['kind']) => Math.max(...ratios.filter((r) => r.kind === kind).map((r) => r.ratio));
  say(`cost: worst upload path ${worst('upload').toFixed(1)}x its floor, worst read ${worst('read').toFixed(1)}x its floor`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

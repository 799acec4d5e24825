/**
 * Listing benchmark and per-endpoint call counts, against DynamoDB Local and
 * s3rver started here (in memory, free ports):
 *
 *   npx tsx bench/listing.ts        (also `npm run bench`)
 *   BENCH_BIG=20000 npx tsx bench/listing.ts   (a smaller big directory)
 *
 * 1. Seeds a directory of 100 and one of 100,000 files (BatchWrite of items built
 *    with the store's key builders, counters and usage set to match) and prints
 *    the median latency of page 1 (limit 20, ordered by name): of the domain's
 *    listDirectory and of the whole `GET /storage/:bucketUuid/content` handler.
 * 2. Invokes every Apillon endpoint once on a small bucket and prints how many
 *    DynamoDB and S3 requests it made (counted by a middleware on the clients).
 *
 * Figures only; nothing here asserts a time.
 */
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAccount, issueApiKey } from '../lib/core/access/accounts';
import { createBucket } from '../lib/core/access/buckets';
import { FileStatus, RecordStatus, type EntryRecord } from '../lib/core/model/entries';
import { listDirectory } from '../lib/core/read/listing';
import { ALL_PERMISSIONS } from '../lib/core/access/principal';
import { ensureDirectory } from '../lib/core/directories/tree';
import type { Services } from '../lib/app/services';
import type { BucketRecord } from '../lib/core/ports';
import { objectKey } from '../lib/core/model/object-keys';
import { fileSetKeys, keys, listingKeys } from '../lib/store/keys';
import { basicAuthorization, httpEvent, invoke, lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../test/support/events';
import { handler as objectCreated } from '../functions/events/object-created/handler';
import * as apillon from './apillon-handlers';
import { benchServices, CallCounter, startBenchEmulators } from './support';
import { median, say } from './figures';

const SMALL = 100;
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 31);

// ---- services -------------------------------------------------------------

// ---- seeding ------------------------------------------------------------------

/** Reserves `count` entry numbers from the same sequence the store uses. */
async function reserveNumbers(services: Services, count: number): Promise<number> {
  const { Attributes } = await services.clients.dynamo.send(
    new UpdateCommand({
      TableName: services.table.name,
      Key: keys.sequence('entry'),
      UpdateExpression: 'ADD #value :count',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':count': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.value) - count + 1;
}

async function batchWrite(services: Services, items: Record<string, unknown>[], concurrency = 24): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let requests = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length) {
        const { UnprocessedItems } = await services.clients.dynamo.send(new BatchWriteCommand({ RequestItems: { [services.table.name]: requests } }));
        requests = (UnprocessedItems?.[services.table.name] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * A directory `name` holding `count` files at status 4: the directory through the
 * domain, the files as the items the store writes (entry in its listing and file
 * indexes, path claim), then the directory counter and the usage, so `total` and
 * quotas agree with what is there. The bytes themselves are not written.
 */
async function seedDirectory(services: Services, bucket: BucketRecord, name: string, count: number): Promise<string> {
  const directoryUuid = (await ensureDirectory(services, bucket, [name]))!;
  const first = await reserveNumbers(services, count);
  const now = Date.now();
  const items: Record<string, unknown>[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const uuid = crypto.randomUUID();
    const fileName = `file-${String((i * 7919) % count).padStart(6, '0')}-${i}.txt`;
    const at = new Date(now - (count - i) * 1000).toISOString();
    const size = 100 + (i % 1000);
    bytes += size;
    const entry: EntryRecord = {
      uuid, type: 'file', bucketUuid: bucket.bucketUuid, accountId: bucket.accountId, number: first + i, name: fileName,
      path: `${name}/${fileName}`, parentUuid: directoryUuid, createdAt: at, updatedAt: at, recordStatus: RecordStatus.ACTIVE,
      fileStatus: FileStatus.REPLICATED, contentType: 'text/plain', size, chargedBytes: size, objectKey: objectKey(bucket.bucketUuid, uuid, uuid), overwrite: true,
    };
    items.push({ ...keys.entry(uuid), refPk: keys.fileNumberRef(entry.number), refSk: uuid, ...listingKeys(entry), ...fileSetKeys(entry), ...entry });
    items.push({ ...keys.path(bucket.bucketUuid, entry.path), entryUuid: uuid, type: 'file' });
  }
  await batchWrite(services, items);
  const add = (key: Record<string, string>, attribute: string, by: number) =>
    services.clients.dynamo.send(
      new UpdateCommand({ TableName: services.table.name, Key: key, UpdateExpression: 'ADD #a :by', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':by': by } }),
    );
  await add(keys.directoryCounter(bucket.bucketUuid, directoryUuid), 'count', count);
  await add(keys.account(bucket.accountId), 'usedBytes', bytes);
  await add(keys.bucket(bucket.bucketUuid), 'sizeBytes', bytes);
  return directoryUuid;
}

// ---- measuring -------------------------------------------------------------------


async function timed(runs: number, work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await work(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Medians of two workloads measured alternately, so neither gets the warmer JIT or cache. */
async function timedPair(runs: number, first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < 3; i++) {
    await first();
    await second();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [work, samples] of [[first, a], [second, b]] as const) {
      const started = performance.now();
      await work();
      samples.push(performance.now() - started);
    }
  }
  return [median(a), median(b)];
}

async function counted(counter: CallCounter, work: () => Promise<unknown>): Promise<{ dynamo: number; s3: number; result: unknown }> {
  counter.reset();
  const result = await work();
  return { dynamo: counter.dynamo, s3: counter.s3, result };
}

// ---- main -----------------------------------------------------------------------

async function main(): Promise<void> {
  const emulators = await startBenchEmulators();
  try {
    const counter = new CallCounter();
    const services = await benchServices(emulators, counter);
    const account = await createAccount(services.accounts, { name: 'bench', quotaBytes: 1024 ** 4 });
    const key = await issueApiKey(services.accounts, account.accountId, ALL_PERMISSIONS);
    const headers = { authorization: basicAuthorization(key.apiKey, key.apiSecret) };
    const bucket = await createBucket(services.buckets, { accountId: account.accountId, name: 'bench', public: true, maxSizeBytes: 1024 ** 4 });

    say(`Seeding directories of ${SMALL} and ${BIG} files into DynamoDB Local…`);
    const seedStarted = performance.now();
    const small = await seedDirectory(services, bucket, 'small', SMALL);
    const big = await seedDirectory(services, bucket, 'big', BIG);
    say(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; counters: small=${await services.listings.count(bucket.bucketUuid, small)}, big=${await services.listings.count(bucket.bucketUuid, big)}`);

    say('');
    say(`Page 1, limit 20, orderBy=name (median of ${RUNS} runs after 3 warm-ups; the two directories alternate)`);
    const page = (directoryUuid: string, extra: { page?: number; search?: string } = {}) => () =>
      listDirectory(services.listings, { bucketUuid: bucket.bucketUuid, directoryUuid, orderBy: ['name'], desc: [], page: 1, limit: 20, ...extra });
    const request = (directoryUuid: string) => () =>
      invoke(
        apillon.content,
        httpEvent({
          method: 'GET',
          path: '/storage/{bucketUuid}/content',
          rawPath: `/storage/${bucket.bucketUuid}/content`,
          pathParameters: { bucketUuid: bucket.bucketUuid },
          query: { directoryId: directoryUuid, orderBy: 'name', limit: '20' },
          headers,
        }),
      );
    const [domainSmall, domainBig] = await timedPair(RUNS, page(small), page(big));
    const [handlerSmall, handlerBig] = await timedPair(RUNS, request(small), request(big));
    const callsSmall = await counted(counter, request(small));
    const callsBig = await counted(counter, request(big));
    say('  files in directory   listDirectory   GET /storage/:b/content   DynamoDB calls per request');
    say(`  ${String(SMALL).padEnd(18)} ${domainSmall.toFixed(1).padStart(10)} ms  ${handlerSmall.toFixed(1).padStart(18)} ms   ${String(callsSmall.dynamo).padStart(10)}`);
    say(`  ${String(BIG).padEnd(18)} ${domainBig.toFixed(1).padStart(10)} ms  ${handlerBig.toFixed(1).padStart(18)} ms   ${String(callsBig.dynamo).padStart(10)}`);
    const farPage = await timed(5, page(big, { page: 51 }));
    const searched = await timed(5, page(small, { search: '42' }));
    say(`  for contrast: page 51 of ${BIG} (skips 1,000 keys) ${farPage.toFixed(1)} ms; search= in ${SMALL} files (reads the directory) ${searched.toFixed(1)} ms`);

    say('');
    say('Requests per call of each endpoint (fresh bucket; DynamoDB / S3)');
    await callCounts(services, counter, headers, account.accountId);
  } finally {
    await emulators.stop();
  }
}

async function callCounts(services: Services, counter: CallCounter, headers: Record<string, string>, accountId: string): Promise<void> {
  const rows: [string, number, number][] = [];
  const measure = async (label: string, handler: Parameters<typeof invoke>[0], init: NonNullable<Parameters<typeof httpEvent>[0]>) => {
    const { dynamo, s3, result } = await counted(counter, () => invoke(handler, { ...init, headers: { ...headers, ...init.headers } }));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const response = result as Awaited<ReturnType<typeof invoke<any>>>;
    if (response.statusCode >= 400) throw new Error(`${label}: ${response.statusCode} ${response.rawBody}`);
    rows.push([label, dynamo, s3]);
    return response;
  };
  const route = (method: string, template: string, params: Record<string, string> = {}) => ({
    method,
    path: template,
    rawPath: template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ''),
    pathParameters: params,
  });

  await measure('GET /storage/buckets', apillon.bucketsList, route('GET', '/storage/buckets'));
  const created = await measure('POST /storage/buckets', apillon.bucketCreate, { ...route('POST', '/storage/buckets'), body: { name: 'calls' } });
  const b = created.body.data.bucketUuid as string;
  await measure('GET /storage/buckets/:b', apillon.bucketGet, route('GET', '/storage/buckets/{bucketUuid}', { bucketUuid: b }));
  const single = await measure('POST /storage/:b/upload (root)', apillon.uploadRequest, {
    ...route('POST', '/storage/{bucketUuid}/upload', { bucketUuid: b }),
    body: { fileName: 'hello.txt', contentType: 'text/plain' },
  });
  await measure('POST /storage/:b/upload (2 new directories)', apillon.uploadRequest, {
    ...route('POST', '/storage/{bucketUuid}/upload', { bucketUuid: b }),
    body: { fileName: 'x.txt', contentType: 'text/plain', path: 'a/b' },
  });
  const put = await fetch(single.body.data.url, { method: 'PUT', body: Buffer.from('hello') });
  if (!put.ok) throw new Error(`PUT failed: ${put.status}`);
  const fileKey = `uploads/${b}/${single.body.data.fileUuid}`;
  const event = sqsEvent([sqsRecord(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [fileKey]))]);
  counter.reset();
  await objectCreated(event, lambdaContext());
  rows.push(['S3 ObjectCreated event (1→4, 5 bytes)', counter.dynamo, counter.s3]);
  counter.reset();
  await objectCreated(event, lambdaContext());
  rows.push(['S3 ObjectCreated event, replayed', counter.dynamo, counter.s3]);

  const sessionUuid = crypto.randomUUID();
  await measure('POST /storage/buckets/:b/upload (1 file)', apillon.sessionUpload, {
    ...route('POST', '/storage/buckets/{bucketUuid}/upload', { bucketUuid: b }),
    body: { sessionUuid, files: [{ fileName: 's0.txt', path: 'sdk/' }] },
  });
  await measure('POST /storage/buckets/:b/upload (10 files, same session)', apillon.sessionUpload, {
    ...route('POST', '/storage/buckets/{bucketUuid}/upload', { bucketUuid: b }),
    body: { sessionUuid, files: Array.from({ length: 10 }, (_, i) => ({ fileName: `s${i + 1}.txt`, path: 'sdk/' })) },
  });
  await measure('POST …/upload/:session/end', apillon.sessionEnd, route('POST', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/end', { bucketUuid: b, sessionUuid }));
  await measure('GET /storage/:b/content (root)', apillon.content, route('GET', '/storage/{bucketUuid}/content', { bucketUuid: b }));
  await measure('GET /storage/:b/content?search=hel', apillon.content, { ...route('GET', '/storage/{bucketUuid}/content', { bucketUuid: b }), query: { search: 'hel' } });
  const sdkRoot = await measure('GET /storage/buckets/:b/content (root)', apillon.bucketContent, route('GET', '/storage/buckets/{bucketUuid}/content', { bucketUuid: b }));
  await measure('GET /storage/buckets/:b/files', apillon.bucketFiles, route('GET', '/storage/buckets/{bucketUuid}/files', { bucketUuid: b }));
  await measure('GET /storage/buckets/:b/files?sessionUuid', apillon.bucketFiles, { ...route('GET', '/storage/buckets/{bucketUuid}/files', { bucketUuid: b }), query: { sessionUuid } });
  const fileUuid = single.body.data.fileUuid as string;
  const detail = await measure('GET /storage/:b/file/:uuid/detail', apillon.fileDetail, route('GET', '/storage/{bucketUuid}/file/{id}/detail', { bucketUuid: b, id: fileUuid }));
  const cid = detail.body.data.file.CID as string;
  await measure('GET /storage/:b/file/:id/detail (numeric id)', apillon.fileDetail, route('GET', '/storage/{bucketUuid}/file/{id}/detail', { bucketUuid: b, id: String(detail.body.data.file.id) }));
  await measure('GET /storage/:b/file/:cid/detail', apillon.fileDetail, route('GET', '/storage/{bucketUuid}/file/{id}/detail', { bucketUuid: b, id: cid }));
  await measure('GET /storage/buckets/:b/files/:uuid', apillon.bucketFileGet, route('GET', '/storage/buckets/{bucketUuid}/files/{id}', { bucketUuid: b, id: fileUuid }));
  await measure('GET /storage/info', apillon.info, route('GET', '/storage/info'));
  await measure('GET /storage/link-on-ipfs/:cid', apillon.linkOnIpfs, route('GET', '/storage/link-on-ipfs/{cid}', { cid }));
  await measure('POST /storage/link-on-ipfs-multiple (3)', apillon.linksOnIpfs, { ...route('POST', '/storage/link-on-ipfs-multiple'), body: { cids: [cid, cid, cid] } });
  await measure('GET /ipfs/:cid (5 bytes, no credentials)', apillon.ipfsGateway, { ...route('GET', '/ipfs/{cid}', { cid }), headers: { authorization: undefined as unknown as string } });
  await measure('DELETE /storage/:b/file/:uuid', apillon.fileDelete, route('DELETE', '/storage/{bucketUuid}/file/{id}', { bucketUuid: b, id: fileUuid }));
  const session0 = (await services.listings.listFiles({ bucketUuid: b, sessionUuid, recordStatus: RecordStatus.ACTIVE, offset: 0, limit: 1 })).items[0]!;
  await measure('DELETE /storage/buckets/:b/files/:uuid', apillon.bucketFileDelete, route('DELETE', '/storage/buckets/{bucketUuid}/files/{id}', { bucketUuid: b, id: session0.uuid }));
  const directory = sdkRoot.body.data.items.find((item: { name: string }) => item.name === 'a');
  await measure('DELETE …/directories/:uuid (a/ with a/b/, no committed files)', apillon.directoryDelete, route('DELETE', '/storage/buckets/{bucketUuid}/directories/{directoryUuid}', { bucketUuid: b, directoryUuid: directory.uuid }));
  void accountId;

  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, dynamo, s3] of rows) say(`  ${label.padEnd(width)}  ${String(dynamo).padStart(3)} / ${s3}`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});

/**
 * The asynchronous path of directory CIDs on the emulators: changes mark their directory,
 * recompute messages (kept by a capturing queue, delivered by the test: in order,
 * reordered, replayed, or lost) walk up the parent chain, a recompute that loses its
 * race goes round again, the sweeper heals lost messages, and a change reads only the
 * directories on its path. Expected CIDs come from ipfs-unixfs-importer with kubo's
 * options over the model tree, never from our code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { markFileForDeletion, removePath } from '../../../lib/core/deletion/deletion';
import { addressDirectory, markDirectoryStale } from '../../../lib/core/directories/directories';
import { isFile } from '../../../lib/core/model/entries';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import type { BucketRecord, DirectoryRef } from '../../../lib/core/ports';
import { makeDirectory } from '../../../lib/quantum/files';
import type { LifecycleDeps, StorageDeps } from '../../../lib/core/ports/storage';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { directoryRecomputeMessage } from '../../../lib/store/lifecycle-queue';
import { keys } from '../../../lib/store/keys';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { prngBytes } from '../../support/data';
import { CapturingQueue, drainDirectoryMessages, importerDirectoryCids, storedDirectoryCids } from '../../support/directories';
import { instrument } from '../../support/interleave';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events';
import { createTestAccount, createTestBucket, testServices } from '../../support/services';

/** Each test stores a small tree file by file through the real lifecycle: seconds on a quiet machine, more on a busy one. */
const SLOW = 120_000;

let services: Services;
let counting = false;
const listingsRead = new Map<string, number>();

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  // Counts what the recomputes read from the listing indexes: partition → items.
  services.clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = (args as { input: { ExpressionAttributeValues?: Record<string, unknown> } }).input;
      const listPk = input.ExpressionAttributeValues?.[':listPk'];
      if (counting && context.commandName === 'QueryCommand' && typeof listPk === 'string') {
        listingsRead.set(listPk, (listingsRead.get(listPk) ?? 0) + ((result.output as { Count?: number }).Count ?? 0));
      }
      return result;
    },
    { step: 'initialize', name: 'countListingReads' },
  );
});

/** A bucket, a queue that keeps its messages, deps sending to it, and the model of what the bucket holds. */
async function fixture() {
  const { accountId } = await createTestAccount(services, { quotaBytes: 100_000_000 });
  const bucket = await createTestBucket(services, accountId);
  const queue = new CapturingQueue();
  const deps: LifecycleDeps = { ...services, lifecycleQueue: queue };
  const model = new Map<string, Uint8Array>();
  return { bucket, queue, deps, model };
}

/** Stores `bytes` at `path` (an Apillon upload: a file already there is replaced) and runs its event to status 4. */
async function put(deps: LifecycleDeps, bucket: BucketRecord, model: Map<string, Uint8Array>, path: string, bytes: Uint8Array): Promise<void> {
  const parts = path.split('/');
  const file = await requestUpload(deps, bucket, { fileName: parts.at(-1)!, directory: parts.slice(0, -1), contentType: 'application/octet-stream', declaredSize: bytes.length });
  await deps.blobs.put(uploadKeyOf(file), bytes, 'application/octet-stream');
  await processObjectCreated(deps, uploadKeyOf(file));
  model.set(path, bytes);
}

async function fileAt(bucket: BucketRecord, path: string) {
  const claim = await services.entries.getPathClaim(bucket.bucketUuid, path);
  const file = claim && (await services.entries.get(claim.entryUuid));
  if (!file || !isFile(file)) throw new Error(`no file at ${path}`);
  return file;
}

/** Every directory's stored CIDs (v1 and v0) equal the importer's for the model tree, and none waits for a recompute. */
async function expectImporterCids(bucket: BucketRecord, model: ReadonlyMap<string, Uint8Array>): Promise<Map<string, string | undefined>> {
  const stored = await storedDirectoryCids(services, bucket.bucketUuid);
  // Folders with nothing below them (no file, no folder): the importer gets them as empty directories.
  const below = (dir: string) => [...model.keys(), ...stored.cidV1.keys()].some((path) => path.startsWith(`${dir}/`));
  const empty = [...stored.cidV1.keys()].filter((dir) => dir !== '' && !below(dir));
  const [v1, v0] = [await importerDirectoryCids(model, empty, 1), await importerDirectoryCids(model, empty, 0)];
  expect(Object.fromEntries(stored.cidV1)).toEqual(Object.fromEntries(v1));
  expect(Object.fromEntries(stored.cidV0)).toEqual(Object.fromEntries(v0));
  expect(stored.waiting).toEqual([]);
  return stored.cidV1;
}

const TREE = ['top.txt', 'a/one.txt', 'a/b/two.txt', 'a/b/c/three.bin', 'a/b/c/four.txt', 'x/five.txt', 'x/y/z/six.txt'];

async function storeTree(deps: LifecycleDeps, bucket: BucketRecord, model: Map<string, Uint8Array>): Promise<void> {
  for (const [i, path] of TREE.entries()) await put(deps, bucket, model, path, prngBytes(path.endsWith('.bin') ? 300_000 : 50 + i, i + 1));
}

describe('directory recompute messages', () => {
  it('give the importer’s CIDs whatever their order, and again when replayed', async () => {
    // prepare
    const { bucket, queue, deps, model } = await fixture();
    await storeTree(deps, bucket, model);
    await makeDirectory(deps, bucket, 'empty/inner');

    // act: each round's messages reversed and each delivered twice, then every message ever sent once more, shuffled
    await drainDirectoryMessages(deps, queue, (messages) => [...messages].reverse().flatMap((message) => [message, message]));
    const settled = await expectImporterCids(bucket, model);
    const replay = [...queue.sent].sort(() => Math.random() - 0.5);
    const again = [];
    for (const message of replay) again.push(await addressDirectory(deps, message.bucketUuid, message.directoryUuid));
    await drainDirectoryMessages(deps, queue);

    // assess
    expect(again.every((address) => address === undefined || !address.changed)).toBe(true);
    expect(await expectImporterCids(bucket, model)).toEqual(settled);
  }, SLOW);

  it('coalesce: a burst of files into one folder sends one message for it', async () => {
    // prepare
    const { bucket, queue, deps, model } = await fixture();

    // act
    for (let i = 0; i < 6; i++) await put(deps, bucket, model, `burst/f${i}.txt`, prngBytes(10, i));
    const burst = queue.take();

    // assess
    const folder = (await services.entries.getPathClaim(bucket.bucketUuid, 'burst'))!.entryUuid;
    expect(burst.filter((message) => message.directoryUuid === folder)).toHaveLength(1);
  }, SLOW);
});

describe('the objectCreated function', () => {
  it('takes the directory messages of the lifecycle queue: a recompute per message, the root by directoryUuid null', async () => {
    // prepare
    const { bucket, queue, deps, model } = await fixture();
    await put(deps, bucket, model, 'q/file.txt', prngBytes(30, 7));
    const q = (await services.entries.getPathClaim(bucket.bucketUuid, 'q'))!.entryUuid;
    queue.take();

    // act: q first, then the root (which q's new CID marked), as SQS messages
    const records = [
      sqsRecord(directoryRecomputeMessage({ bucketUuid: bucket.bucketUuid, directoryUuid: q })),
      sqsRecord(directoryRecomputeMessage({ bucketUuid: bucket.bucketUuid, directoryUuid: null })),
    ];
    const response = await objectCreated(sqsEvent(records), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([]);
    await expectImporterCids(bucket, model);
  }, SLOW);
});

describe('a change below a directory', () => {
  it('changes the CIDs of the whole parent chain to the importer’s: a delete, a replacement, a file removal, a folder removal', async () => {
    // prepare
    const { bucket, queue, deps, model } = await fixture();
    await storeTree(deps, bucket, model);
    await drainDirectoryMessages(deps, queue);
    const initial = await expectImporterCids(bucket, model);

    // act + assess: an Apillon delete (status 8) deep down
    await markFileForDeletion(deps, await fileAt(bucket, 'a/b/c/four.txt'));
    model.delete('a/b/c/four.txt');
    await drainDirectoryMessages(deps, queue);
    const afterDelete = await expectImporterCids(bucket, model);
    for (const dir of ['a/b/c', 'a/b', 'a', '']) expect(afterDelete.get(dir), dir).not.toBe(initial.get(dir));
    expect(afterDelete.get('x')).toBe(initial.get('x'));

    // a replacement upload to the same path
    await put(deps, bucket, model, 'a/b/two.txt', prngBytes(77, 99));
    await drainDirectoryMessages(deps, queue);
    const afterReplace = await expectImporterCids(bucket, model);
    for (const dir of ['a/b', 'a', '']) expect(afterReplace.get(dir), dir).not.toBe(afterDelete.get(dir));
    expect(afterReplace.get('a/b/c')).toBe(afterDelete.get('a/b/c'));

    // a Quantum remove of one file, then of a folder with everything in it
    await removePath(deps, bucket, 'x/y/z/six.txt');
    model.delete('x/y/z/six.txt');
    await drainDirectoryMessages(deps, queue);
    const afterRemove = await expectImporterCids(bucket, model);
    for (const dir of ['x/y/z', 'x/y', 'x', '']) expect(afterRemove.get(dir), dir).not.toBe(afterReplace.get(dir));

    await removePath(deps, bucket, 'a/b');
    for (const path of [...model.keys()]) if (path.startsWith('a/b/')) model.delete(path);
    await drainDirectoryMessages(deps, queue);
    const afterFolder = await expectImporterCids(bucket, model);
    expect(afterFolder.has('a/b')).toBe(false);
    for (const dir of ['a', '']) expect(afterFolder.get(dir), dir).not.toBe(afterRemove.get(dir));
  }, SLOW);

  it('is not lost when it lands while the directory’s recompute is running: that recompute goes round again', async () => {
    // prepare: d is addressed, then stale again (its message is dropped)
    const { bucket, queue, deps, model } = await fixture();
    await put(deps, bucket, model, 'd/one.txt', prngBytes(40, 1));
    await put(deps, bucket, model, 'd/two.txt', prngBytes(40, 2));
    await drainDirectoryMessages(deps, queue);
    const d = (await services.entries.getPathClaim(bucket.bucketUuid, 'd'))!.entryUuid;
    await markDirectoryStale(deps, { bucketUuid: bucket.bucketUuid, directoryUuid: d });
    queue.take();
    const recompute = instrument(deps);
    const { paused, resume } = recompute.pauseBefore(2); // it read d's version and children, computed, and is about to write

    // act: the recompute reads and computes, a delete in d lands (d is stale already: it sends no message), the recompute writes
    const running = addressDirectory(recompute.deps, bucket.bucketUuid, d);
    await paused;
    expect(recompute.calls).toEqual(['directories.get', 'listings.readChildren', 'directories.recordCids']);
    await markFileForDeletion(deps, await fileAt(bucket, 'd/one.txt'));
    model.delete('d/one.txt');
    const sentByDelete = queue.take();
    resume();
    await running;

    // assess: d has the CID of its children after the delete, though nothing but the recompute itself ran for it
    expect(sentByDelete.filter((message) => message.directoryUuid === d)).toEqual([]);
    expect(recompute.calls.filter((call) => call === 'directories.recordCids').length).toBeGreaterThanOrEqual(2);
    await drainDirectoryMessages(deps, queue); // the root, which d's new CID marked
    await expectImporterCids(bucket, model);
  }, SLOW);
});

describe('a mark made where no queue is configured', () => {
  it('is durable (the sweeper finds it) and does not keep the next mark, made with a queue, from enqueueing', async () => {
    // prepare
    const { bucket, queue, deps, model } = await fixture();
    await put(deps, bucket, model, 'd/one.txt', prngBytes(40, 1));
    await drainDirectoryMessages(deps, queue);
    const d = { bucketUuid: bucket.bucketUuid, directoryUuid: (await services.entries.getPathClaim(bucket.bucketUuid, 'd'))!.entryUuid };
    const withoutQueue: StorageDeps = { ...services, lifecycleQueue: undefined };

    // act: a function deployed without LIFECYCLE_QUEUE_URL marks d, then one with a queue does
    await markDirectoryStale(withoutQueue, d);
    const waitingAfterFirst = (await storedDirectoryCids(services, bucket.bucketUuid)).waiting;
    await markDirectoryStale(deps, d);

    // assess
    expect(waitingAfterFirst).toContain('d');
    expect(queue.take()).toEqual([d]);
  }, SLOW);
});

describe('a listing index behind its writes (a GSI catches up eventually)', () => {
  it('gives no CID: the recompute reads again, hands itself back, and the mark stays until the index agrees with the child counter', async () => {
    // prepare: d addressed; then a child committed (the counter, written in its transaction, says so) that the index does not show yet
    const { bucket, queue, deps, model } = await fixture();
    await put(deps, bucket, model, 'd/one.txt', prngBytes(40, 1));
    await drainDirectoryMessages(deps, queue);
    const before = await expectImporterCids(bucket, model);
    const d = (await services.entries.getPathClaim(bucket.bucketUuid, 'd'))!.entryUuid;
    const lag = (by: number) =>
      services.clients.dynamo.send(
        new UpdateCommand({
          TableName: services.table.name,
          Key: keys.directoryCounter(bucket.bucketUuid, d),
          UpdateExpression: 'ADD #count :by',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':by': by },
        }),
      );
    await lag(1);
    await markDirectoryStale(deps, { bucketUuid: bucket.bucketUuid, directoryUuid: d });
    queue.take();

    // act
    const address = await addressDirectory(deps, bucket.bucketUuid, d);

    // assess: nothing recorded, d still waits, and its recompute is back on the queue
    expect(address).toBeUndefined();
    const stored = await storedDirectoryCids(services, bucket.bucketUuid);
    expect(stored.waiting).toContain('d');
    expect(stored.cidV1.get('d')).toBe(before.get('d'));
    expect(queue.take().filter((message) => message.directoryUuid === d)).toHaveLength(1);

    // act: the index catches up (here: the child that was not there goes), and the recompute runs again
    await lag(-1);
    await addressDirectory(deps, bucket.bucketUuid, d);
    await drainDirectoryMessages(deps, queue);

    // assess
    await expectImporterCids(bucket, model);
  }, SLOW);
});

describe('the sweeper', () => {
  it('recomputes directories whose messages were lost, up the chain, to the importer’s CIDs', async () => {
    // prepare: a tree whose every recompute message is lost
    const { bucket, queue, deps, model } = await fixture();
    await storeTree(deps, bucket, model);
    queue.take();
    expect((await storedDirectoryCids(services, bucket.bucketUuid)).waiting.length).toBeGreaterThan(0);

    // act: sweeps past the threshold (each recompute marks its parent, which the next sweep finds)
    const lossy: LifecycleDeps = { ...services }; // no queue: every message is lost
    let swept = 0;
    for (let sweep = 0; sweep < 8 && (await storedDirectoryCids(services, bucket.bucketUuid)).waiting.length > 0; sweep++) {
      swept += (await sweepStrandedFiles(lossy, new Date(Date.now() + 11 * 60_000))).staleDirectories;
    }

    // assess
    expect(swept).toBeGreaterThan(0);
    await expectImporterCids(bucket, model);
  }, SLOW);
});

describe('the cost of a change', () => {
  it('is the children of the directories on its path: a new file in a deep folder lists only its ancestors', async () => {
    // prepare: many folders beside one deep path
    const { bucket, queue, deps, model } = await fixture();
    for (let i = 0; i < 25; i++) await put(deps, bucket, model, `folder-${i}/file.txt`, prngBytes(12, i));
    await put(deps, bucket, model, 'deep/l1/l2/l3/leaf.txt', prngBytes(12, 100));
    await put(deps, bucket, model, 'deep/l1/side.txt', prngBytes(12, 101));
    await drainDirectoryMessages(deps, queue);
    await put(deps, bucket, model, 'deep/l1/l2/l3/new.txt', prngBytes(12, 102));
    const path: DirectoryRef['directoryUuid'][] = [null];
    for (const dir of ['deep', 'deep/l1', 'deep/l1/l2', 'deep/l1/l2/l3']) path.push((await services.entries.getPathClaim(bucket.bucketUuid, dir))!.entryUuid);

    // act
    listingsRead.clear();
    counting = true;
    await drainDirectoryMessages(deps, queue);
    counting = false;

    // assess: one listing per directory on the path (the root's 26 children, deep's 1, l1's 2, l2's 1, l3's 2), nothing else
    expect(Object.fromEntries(listingsRead)).toEqual(
      Object.fromEntries([
        [keys.listing(bucket.bucketUuid, path[0]!), 26],
        [keys.listing(bucket.bucketUuid, path[1]!), 1],
        [keys.listing(bucket.bucketUuid, path[2]!), 2],
        [keys.listing(bucket.bucketUuid, path[3]!), 1],
        [keys.listing(bucket.bucketUuid, path[4]!), 2],
      ]),
    );
    await expectImporterCids(bucket, model);
  }, SLOW);
});

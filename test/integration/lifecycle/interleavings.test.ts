/**
 * Issue 7: every pair of runs at every step boundary. Run A is the S3 event
 * run of one uploaded file (lifecycle.ts). It is paused before each of its
 * port calls in turn (one scenario per call: every step boundary), another run
 * B goes to its end, then A goes on. Whatever the pair and the boundary, A
 * must finish without error and the bucket must be consistent (see
 * assertConsistent): a settled file, usage equal to what the records charge,
 * no stray or missing object.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { markFileForDeletion, purgeDueFiles, removeBucketContents, removePath } from '../../../lib/domain/deletion';
import { FileStatus, RecordStatus, isFile, type FileRecord } from '../../../lib/domain/entries';
import { processObjectCreated } from '../../../lib/domain/lifecycle';
import { sweepStrandedFiles } from '../../../lib/domain/sweeper';
import { requestUpload, uploadKeyOf } from '../../../lib/domain/uploads';
import { AppError } from '../../../lib/errors';
import type { Services } from '../../../lib/services';
import type { BucketRecord } from '../../../lib/domain/ports';
import { instrument } from '../../support/interleave';
import { createTestAccount, createTestBucket, testServices } from '../../support/services';

let services: Services;
/** Port calls of one undisturbed event run (measured in beforeAll); every index is a boundary. */
let boundaries: number[];

const bytes = (text: string) => new TextEncoder().encode(text);

async function uploaded(name = 'f.txt', content = 'hello'): Promise<{ bucket: BucketRecord; accountId: string; file: FileRecord }> {
  const { accountId } = await createTestAccount(services, { quotaBytes: 1_000_000 });
  const bucket = await createTestBucket(services, accountId);
  const file = await requestUpload(services, bucket, { fileName: name, directory: ['d'], contentType: 'text/plain', declaredSize: content.length });
  await services.blobs.put(uploadKeyOf(file), bytes(content), 'text/plain');
  return { bucket, accountId, file };
}

/** Runs B's work, tolerating the answers a client would get (a 4xx for a file that is not there yet, and so on). */
async function tolerant(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

type RunB = (context: { bucket: BucketRecord; file: FileRecord }) => Promise<void>;

const runs: Record<string, RunB> = {
  'a duplicate delivery of the same event': async ({ file }) => {
    await processObjectCreated(services, uploadKeyOf(file));
  },
  'the sweeper (11 minutes later)': async () => {
    await sweepStrandedFiles(services, new Date(Date.now() + 11 * 60_000));
  },
  'an Apillon delete (mark for deletion)': async ({ file }) => {
    const current = await services.entries.get(file.uuid);
    if (current && isFile(current)) await tolerant(() => markFileForDeletion(services, current));
  },
  'a Quantum remove of the path': async ({ bucket }) => {
    await tolerant(() => removePath(services, bucket, 'd/f.txt'));
  },
  'a delete and the purge 91 days later': async ({ file }) => {
    const current = await services.entries.get(file.uuid);
    if (current && isFile(current)) await tolerant(() => markFileForDeletion(services, current));
    await purgeDueFiles(services, new Date(Date.now() + 91 * 86_400_000));
  },
  'the bucket removal': async ({ bucket }) => {
    await removeBucketContents(services, bucket);
    await services.buckets.remove(bucket);
  },
  'a replacement upload to the same path': async ({ bucket }) => {
    const replacement = await requestUpload(services, bucket, { fileName: 'f.txt', directory: ['d'], contentType: 'text/plain', declaredSize: 7 });
    await services.blobs.put(uploadKeyOf(replacement), bytes('replace'), 'text/plain');
    await processObjectCreated(services, uploadKeyOf(replacement));
  },
};

async function keysUnder(bucketName: string, prefix: string): Promise<string[]> {
  const { Contents } = await services.clients.s3.send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix }));
  return (Contents ?? []).map((object) => object.Key!).sort();
}

/** The invariants of a settled bucket. */
async function assertConsistent(bucket: BucketRecord, accountId: string): Promise<void> {
  const records: FileRecord[] = [];
  for (const recordStatus of [RecordStatus.ACTIVE, RecordStatus.MARKED_FOR_DELETION]) {
    const page = await services.listings.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus, offset: 0, limit: 100 });
    records.push(...page.items.filter(isFile));
  }
  // Every file is settled: status 4 or an error status, or marked for deletion.
  for (const record of records) {
    const settled = record.fileStatus === FileStatus.REPLICATED || record.fileStatus >= 100 || record.recordStatus === RecordStatus.MARKED_FOR_DELETION;
    expect(settled, `file ${record.uuid} left at status ${record.fileStatus}`).toBe(true);
  }
  // Usage is charged exactly once: it equals what the records say they were charged.
  const charged = records.reduce((sum, record) => sum + (record.chargedBytes ?? 0), 0);
  const account = await services.accounts.getAccount(accountId);
  expect(account!.usedBytes).toBe(charged);
  const current = await services.buckets.get(bucket.bucketUuid);
  if (current) expect(current.sizeBytes).toBe(charged);
  // No stray and no missing object: exactly the committed files' bytes, and their replicas once at 4.
  const withBytes = records.filter((record) => record.fileStatus >= 2 && record.fileStatus < 100);
  const { FILES_BUCKET, REPLICA_BUCKET } = services.config;
  expect(await keysUnder(FILES_BUCKET, `files/${bucket.bucketUuid}/`)).toEqual(withBytes.map((record) => record.objectKey).sort());
  expect(await keysUnder(FILES_BUCKET, `uploads/${bucket.bucketUuid}/`)).toEqual([]);
  expect(await keysUnder(REPLICA_BUCKET, `files/${bucket.bucketUuid}/`)).toEqual(
    records.filter((record) => record.fileStatus === FileStatus.REPLICATED).map((record) => record.objectKey).sort(),
  );
  // The path is held by an active, committed file, or by nothing.
  const claim = await services.entries.getPathClaim(bucket.bucketUuid, 'd/f.txt');
  if (claim) {
    const holder = records.find((record) => record.uuid === claim.entryUuid);
    expect(holder?.recordStatus).toBe(RecordStatus.ACTIVE);
  }
}

beforeAll(async () => {
  services = await testServices();
  const { file } = await uploaded();
  const probe = instrument(services);
  await processObjectCreated(probe.deps, uploadKeyOf(file));
  boundaries = probe.calls.map((_, index) => index);
  // The scenarios below pause at indexes 0..23: past the last call, A simply runs before B.
  expect(boundaries.length).toBeGreaterThan(10);
  expect(boundaries.length).toBeLessThan(24);
});

describe.concurrent.each(Object.keys(runs))('the event run of an upload, paused at each step boundary while %s runs', (name) => {
  // Each boundary is its own scenario (fresh account and bucket); 24 indexes cover a whole run (asserted above).
  it.each(Array.from({ length: 24 }, (_, k) => k))('boundary %i: the event run finishes and the bucket is consistent', async (k) => {
    // prepare
    const { bucket, accountId, file } = await uploaded();
    const a = instrument(services);
    const { paused, resume } = a.pauseBefore(k);
    const runA = processObjectCreated(a.deps, uploadKeyOf(file));

    // act: B runs to its end while A waits at the boundary (or after A, when A makes fewer calls)
    await Promise.race([paused, runA]);
    await runs[name]!({ bucket, file });
    resume();
    await runA;

    // assess
    await assertConsistent(bucket, accountId);
  });
});

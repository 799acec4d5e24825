/**
 * The scenarios of issue 7's interleaving tests (interleavings*.test.ts): one
 * uploaded file whose event run A is paused before its k-th port call while a
 * run B goes to its end, and the invariants of a settled bucket.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { sdkS3 } from '../../support/sdk-s3';
import { expect } from 'vitest';
import { FileStatus, RecordStatus, isFile, type FileRecord } from '../../../lib/core/model/entries';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import type { BucketRecord } from '../../../lib/core/ports';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import { AppError } from '../../../lib/errors';
import type { Services } from '../../../lib/app/services';
import { bucketTreeCids, settleStaleDirectories, storedDirectoryCids } from '../../support/directories';
import { instrument } from '../../support/interleave';
import { createTestAccount, createTestBucket } from '../../support/services';

export type RunB = (context: { bucket: BucketRecord; file: FileRecord }) => Promise<void>;

/** Boundaries scenarios pause at: indexes 0..23; past the last call of A, A simply runs before B. */
export const BOUNDARIES = Array.from({ length: 24 }, (_, k) => k);

export function scenarios(services: Services) {
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

  async function keysUnder(bucketName: string, prefix: string): Promise<string[]> {
    const { Contents } = await sdkS3(services.config).send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix }));
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
    // Directory CIDs: every change marked its directory, so recomputing only what the marks left waiting
    // gives every directory and the root the CIDs the importer computes for what the bucket holds now.
    await settleStaleDirectories(services, bucket.bucketUuid);
    if (current) {
      const [expected, stored] = [await bucketTreeCids(services, bucket.bucketUuid), await storedDirectoryCids(services, bucket.bucketUuid)];
      expect(Object.fromEntries(stored.cidV1)).toEqual(Object.fromEntries(expected.cidV1));
      expect(Object.fromEntries(stored.cidV0)).toEqual(Object.fromEntries(expected.cidV0));
    } else {
      // A removed bucket keeps no root directory item (a late mark's recompute discards the one it made).
      expect(await services.directories.get({ bucketUuid: bucket.bucketUuid, directoryUuid: null })).toMatchObject({ pending: false, cids: undefined, record: undefined });
    }
  }

  /** Port calls of one undisturbed event run (each index is a step boundary). */
  async function countBoundaries(): Promise<number> {
    const { file } = await uploaded();
    const probe = instrument(services);
    await processObjectCreated(probe.deps, uploadKeyOf(file));
    return probe.calls.length;
  }

  /** One scenario: A paused before its k-th call, B to its end, A on; then the bucket must be consistent. */
  async function run(k: number, runB: RunB): Promise<void> {
    // prepare
    const { bucket, accountId, file } = await uploaded();
    const a = instrument(services);
    const { paused, resume } = a.pauseBefore(k);
    const runA = processObjectCreated(a.deps, uploadKeyOf(file));

    // act: B runs to its end while A waits at the boundary (or after A, when A makes fewer calls)
    await Promise.race([paused, runA]);
    await runB({ bucket, file });
    resume();
    await runA;

    // assess
    await assertConsistent(bucket, accountId);
  }

  return { tolerant, countBoundaries, run };
}

/**
 * The CID of an object too large for one invocation (issue 21): the object-created function hashes a slice, hands the
 * builder's checkpoint on as a `continueAddressing` queue message, and the next invocations go on from there with
 * ranged reads, until the file reaches status 4 with the CIDs an independent importer gives. Its two copies (the
 * commit's, the replica's) go in parts, one part an invocation, each resumed by the next (the file back on the queue). The file is stored as a
 * multipart upload in 5 MiB parts (the Apillon routes, s3rver). Slices of 1 MiB here; the 1 GiB run is
 * `LARGE_CID_TEST_BYTES=1073741824 LARGE_CID_SLICE_BYTES=67108864 npx vitest run test/integration/events/sliced-cids.test.ts`, a step of
 * its own in `.ci/run` (about a minute; README, "CIDs of large objects, in slices").
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import type { AddressingContinuation } from '../../../lib/core/lifecycle/sliced-cids';
import type { DirectoryRef, LifecycleQueue } from '../../../lib/core/ports';
import type { FileRecord } from '../../../lib/core/model/entries';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { S3BlobCopyStore } from '../../../lib/store/blob-copy-store';
import { prngBlocks } from '../../support/data';
import { lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../../support/events';
import { importerFileCids } from '../../support/file-cids';
import { tenantTest } from '../../support/fixtures';
import { createTestTenant } from '../../support/services';
import { call } from '../apillon/helpers';

const it = tenantTest();

const MIB = 1024 * 1024;
const SIZE = Number(process.env.LARGE_CID_TEST_BYTES ?? 12 * MIB);
const SLICE_BYTES = Number(process.env.LARGE_CID_SLICE_BYTES ?? 1 * MIB);
/** The copies' parts (S3's smallest part is 5 MiB): the slice, at least 5 MiB. */
const COPY_PART_BYTES = Math.max(5 * MIB, SLICE_BYTES);

/** The lifecycle queue as SQS would carry it: every message body kept, in order, for the test to deliver. */
class RecordingQueue implements LifecycleQueue {
  readonly bodies: string[] = [];
  constructor(private readonly bucket: string) {}
  async enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void> {
    for (const file of files) this.bodies.push(JSON.stringify(s3ObjectCreatedNotification(this.bucket, [`uploads/${file.bucketUuid}/${file.uuid}`])));
  }
  async enqueueDirectories(_directories: readonly DirectoryRef[]): Promise<void> {}
  async enqueueAddressing(continuation: AddressingContinuation): Promise<void> {
    this.bodies.push(JSON.stringify({ continueAddressing: continuation }));
  }
}

/** The bytes of part `n` (1-based) of a SIZE-byte file in `partSize` parts: deterministic, never all in memory. */
function* partBytes(partSize: number): Generator<Uint8Array> {
  for (let start = 0, part = 1; start < SIZE; start += partSize, part++) {
    const length = Math.min(partSize, SIZE - start);
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (const block of prngBlocks(length, part)) {
      bytes.set(block, offset);
      offset += block.length;
    }
    yield bytes;
  }
}

describe('the CID of a large object, hashed in slices', () => {
  it(`stores ${SIZE} bytes in 5 MiB parts and reaches status 4 with the importer's CIDs, ${SLICE_BYTES}-byte slices, copies resumed part by part`, { timeout: Math.max(120_000, SIZE / 1000) }, async ({ services }) => {
    // prepare: the process services with a queue and small slices, as the object-created function will see them
    const owner = await createTestTenant(services, { quotaBytes: SIZE * 2 });
    const queue = new RecordingQueue(services.config.FILES_BUCKET);
    // The commit's and the replica's copies go in parts of COPY_PART_BYTES, one part an invocation (issue 21: resumable copies).
    const sliced: Services = {
      ...services,
      lifecycleQueue: queue,
      cidSlice: { maxMs: 10 * 60_000, maxBytes: SLICE_BYTES },
      blobCopies: new S3BlobCopyStore(services.clients.s3, services.config.FILES_BUCKET, services.config.REPLICA_BUCKET, services.blobs, COPY_PART_BYTES),
      copySlice: { maxMs: 10 * 60_000, maxBytes: COPY_PART_BYTES },
    };
    setServicesForTests(sliced);
    try {
      const sessionUuid = randomUUID();
      const params = { bucketUuid: owner.bucket.bucketUuid, sessionUuid };
      const headers = { ...owner.headers.basic, 'content-type': 'application/json' };
      const created = await call('multipartCreate', { params, headers, body: { fileName: 'large.bin', size: SIZE } });
      expect(created.statusCode, created.rawBody).toBe(201);
      const { fileUuid, partSize } = created.body.data;
      const phases: Record<string, number> = {};
      let phaseStart = performance.now();
      const phase = (name: string) => {
        phases[name] = Math.round(performance.now() - phaseStart);
        phaseStart = performance.now();
      };
      const parts: { partNumber: number; ETag: string }[] = [];
      let partNumber = 0;
      for (const bytes of partBytes(partSize)) {
        partNumber++;
        const [{ url }] = (await call('multipartParts', { params: { ...params, fileUuid }, headers, body: { partNumbers: [partNumber] } })).body.data.parts;
        const put = await fetch(url, { method: 'PUT', body: bytes });
        parts.push({ partNumber, ETag: put.headers.get('etag')! });
      }
      phase('upload parts');
      expect((await call('multipartComplete', { params: { ...params, fileUuid }, headers, body: { parts } })).statusCode).toBe(200);
      phase('complete');

      // act: the object's event, then every message the function sends itself, as SQS delivers them
      queue.bodies.push(JSON.stringify(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [`uploads/${owner.bucket.bucketUuid}/${fileUuid}`])));
      let invocations = 0;
      let continuations = 0;
      let copyContinuations = -1; // the first notification is the object's own event
      for (let body = queue.bodies.shift(); body !== undefined; body = queue.bodies.shift()) {
        if (body.includes('continueAddressing')) continuations++;
        else copyContinuations++;
        const { batchItemFailures } = await objectCreated(sqsEvent([sqsRecord(body)]), lambdaContext());
        expect(batchItemFailures).toEqual([]);
        invocations++;
        phase(`invocation ${invocations}`);
      }

      // assess
      const detail = await call('fileDetail', { params: { bucketUuid: owner.bucket.bucketUuid, id: fileUuid }, headers: owner.headers.basic });
      const expected = await importerFileCids(() => partBytes(partSize));
      phase('independent importer');
      // The long run (LARGE_CID_TEST_BYTES) says where its minutes went, in ms.
      if (process.env.LARGE_CID_TEST_BYTES) console.info('sliced-cids phases (ms)', JSON.stringify(phases));
      expect(detail.body.data.fileStatus).toBe(4);
      expect(detail.body.data.file).toMatchObject({ size: SIZE, CID: expected.cidV1, CIDv0: expected.cidV0 });
      expect(continuations).toBe(Math.ceil(SIZE / SLICE_BYTES) - 1);
      // Each copy (commit, replica) hands on after every part but its last.
      expect(copyContinuations).toBe(2 * (Math.ceil(SIZE / COPY_PART_BYTES) - 1));
      expect(invocations).toBe(1 + continuations + copyContinuations);
    } finally {
      setServicesForTests(services);
    }
  });
});

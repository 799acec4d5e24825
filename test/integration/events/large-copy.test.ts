/**
 * A file over the multipart copy threshold through the whole lifecycle (issue 21): S3 refuses CopyObject of a source
 * over 5 GiB, so the commit's copy (uploads/ → files/) and the replica's (files/ → replica bucket) go in parts
 * (UploadPartCopy). The threshold is 5 MiB here, so a 12 MiB multipart upload (the Apillon routes, s3rver) takes that
 * path; the S3 commands the object-created function sends are counted on its client.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect } from 'vitest';
import type { DirectoryRef, LifecycleQueue } from '../../../lib/core/ports';
import type { FileRecord } from '../../../lib/core/model/entries';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { S3BlobCopyStore } from '../../../lib/store/blob-copy-store';
import { createAwsClients } from '../../../lib/store/clients';
import { prngBlocks } from '../../support/data';
import { lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { sdkS3 } from '../../support/sdk-s3';
import { call } from '../apillon/helpers';

const it = tenantTest({ quotaBytes: 100 * 1024 * 1024 });

const MIB = 1024 * 1024;
const SIZE = 12 * MIB;

/** The object-created function's copy store, copying in parts above 5 MiB on a client of its own whose S3 commands are counted. */
async function countedPartCopies(services: Services) {
  const client = await createAwsClients(services.config).s3();
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName!.replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countS3Commands' },
  );
  const blobCopies = new S3BlobCopyStore(async () => client, services.config.FILES_BUCKET, services.config.REPLICA_BUCKET, services.blobs, 5 * MIB);
  return { blobCopies, sent };
}

describe('a file above the multipart copy threshold', () => {
  it('reaches status 4 through part copies, its bytes identical under files/ and in the replica', async ({ services, tenant: owner }) => {
    // prepare: the object-created function's services copy in parts above 5 MiB; its S3 commands are counted
    const { blobCopies, sent } = await countedPartCopies(services);
    const partCopying: Services = {
      ...services,
      blobCopies,
    };
    const bytes = Buffer.concat([...prngBlocks(SIZE, 21)]);
    const params = { bucketUuid: owner.bucket.bucketUuid, sessionUuid: randomUUID() };
    const headers = { ...owner.headers.basic, 'content-type': 'application/json' };
    const created = await call('multipartCreate', { params, headers, body: { fileName: 'large.bin', size: SIZE } });
    expect(created.statusCode, created.rawBody).toBe(201);
    const { fileUuid, partSize, partCount } = created.body.data;
    const partNumbers = Array.from({ length: partCount }, (_, index) => index + 1);
    const urls = (await call('multipartParts', { params: { ...params, fileUuid }, headers, body: { partNumbers } })).body.data.parts;
    const parts = [];
    for (const { partNumber, url } of urls) {
      const put = await fetch(url, { method: 'PUT', body: bytes.subarray((partNumber - 1) * partSize, partNumber * partSize) });
      parts.push({ partNumber, ETag: put.headers.get('etag')! });
    }
    expect((await call('multipartComplete', { params: { ...params, fileUuid }, headers, body: { parts } })).statusCode).toBe(200);

    // act: the object's event
    setServicesForTests(partCopying);
    try {
      const notification = s3ObjectCreatedNotification(services.config.FILES_BUCKET, [`uploads/${owner.bucket.bucketUuid}/${fileUuid}`]);
      expect((await objectCreated(sqsEvent([sqsRecord(notification)]), lambdaContext())).batchItemFailures).toEqual([]);
    } finally {
      setServicesForTests(services);
    }

    // assess
    const detail = await call('fileDetail', { params: { bucketUuid: owner.bucket.bucketUuid, id: fileUuid }, headers: owner.headers.basic });
    expect(detail.body.data.fileStatus).toBe(4);
    expect(detail.body.data.file.size).toBe(SIZE);
    const { objectKey } = (await services.entries.get(fileUuid)) as { objectKey: string };
    const s3 = sdkS3(services.config);
    for (const bucket of [services.config.FILES_BUCKET, services.config.REPLICA_BUCKET]) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      expect(Buffer.from(await Body!.transformToByteArray()).equals(bytes), bucket).toBe(true);
    }
    // Two copies (commit and replica) of ceil(12 / 5) = 3 parts each, and never a CopyObject.
    expect(sent.filter((command) => command === 'UploadPartCopy')).toHaveLength(6);
    expect(sent.filter((command) => command === 'CompleteMultipartUpload')).toHaveLength(2);
    expect(sent).not.toContain('CopyObject');
  });

  it('copies in slices across invocations (issue 21): each invocation copies one part, hands the file on through the queue, and the next resumes the same upload', async ({ services, tenant: owner }) => {
    // prepare: one 5 MiB part a slice; the queue's messages kept for the test to deliver as SQS would
    const { blobCopies, sent } = await countedPartCopies(services);
    const bodies: string[] = [];
    const queue: LifecycleQueue = {
      async enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]) {
        for (const file of files) bodies.push(JSON.stringify(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [`uploads/${file.bucketUuid}/${file.uuid}`])));
      },
      async enqueueDirectories(_directories: readonly DirectoryRef[]) {},
    };
    const sliced: Services = {
      ...services,
      lifecycleQueue: queue,
      copySlice: { maxMs: 60_000, maxBytes: 5 * MIB },
      blobCopies,
    };
    const bytes = Buffer.concat([...prngBlocks(SIZE, 22)]);
    const params = { bucketUuid: owner.bucket.bucketUuid, sessionUuid: randomUUID() };
    const headers = { ...owner.headers.basic, 'content-type': 'application/json' };
    const created = await call('multipartCreate', { params, headers, body: { fileName: 'sliced.bin', size: SIZE } });
    const { fileUuid, partSize, partCount } = created.body.data;
    const urls = (await call('multipartParts', { params: { ...params, fileUuid }, headers, body: { partNumbers: Array.from({ length: partCount }, (_, index) => index + 1) } })).body.data.parts;
    const parts = [];
    for (const { partNumber, url } of urls) {
      const put = await fetch(url, { method: 'PUT', body: bytes.subarray((partNumber - 1) * partSize, partNumber * partSize) });
      parts.push({ partNumber, ETag: put.headers.get('etag')! });
    }
    expect((await call('multipartComplete', { params: { ...params, fileUuid }, headers, body: { parts } })).statusCode).toBe(200);

    // act: the object's event, then every message the function sends itself
    bodies.push(JSON.stringify(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [`uploads/${owner.bucket.bucketUuid}/${fileUuid}`])));
    const seen: { fileStatus?: number; commitCopy?: unknown }[] = [];
    setServicesForTests(sliced);
    try {
      for (let body = bodies.shift(); body !== undefined && seen.length < 20; body = bodies.shift()) {
        expect((await objectCreated(sqsEvent([sqsRecord(body)]), lambdaContext())).batchItemFailures).toEqual([]);
        const record = (await services.entries.get(fileUuid)) as FileRecord;
        seen.push({ fileStatus: record.fileStatus, commitCopy: record.commitCopy });
      }
    } finally {
      setServicesForTests(services);
    }

    // assess: 3 parts a copy, one a slice: the commit's copy over 3 invocations (status 1, its key kept on the record
    // between them), the replica's over 3 more (the third of the commit's also addresses the file and begins the replica)
    expect(seen.map((state) => state.fileStatus)).toEqual([1, 1, 3, 3, 4]);
    const { objectKey, commitCopy } = (await services.entries.get(fileUuid)) as FileRecord;
    expect(seen[0]!.commitCopy).toMatchObject({ objectKey });
    expect(commitCopy).toBeUndefined();
    expect(sent.filter((command) => command === 'CreateMultipartUpload')).toHaveLength(2);
    expect(sent.filter((command) => command === 'UploadPartCopy')).toHaveLength(6);
    expect(sent.filter((command) => command === 'CompleteMultipartUpload')).toHaveLength(2);
    const s3 = sdkS3(services.config);
    for (const bucket of [services.config.FILES_BUCKET, services.config.REPLICA_BUCKET]) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      expect(Buffer.from(await Body!.transformToByteArray()).equals(bytes), bucket).toBe(true);
    }
  });
});

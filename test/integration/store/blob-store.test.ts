/**
 * The blob stores (lib/store/blob-store.ts, blob-copy-store.ts, blob-stream-store.ts; `@aws-sdk/client-s3` with the settings of lib/store/clients.ts)
 * against s3rver: what each operation returns and how a missing object reads, as the lifecycle and the
 * gateways rely on them. What it writes is read back through a separate SDK client (test/support/sdk-s3.ts).
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { ObjectMissingError } from '../../../lib/core/model/storage-errors';
import type { BlobCopyStore, BlobStreamStore } from '../../../lib/core/ports';
import { S3BlobCopyStore } from '../../../lib/store/blob-copy-store';
import { isMissingObject, S3BlobStore } from '../../../lib/store/blob-store';
import { createAwsClients } from '../../../lib/store/clients';
import { prngBlocks } from '../../support/data';
import { sdkS3 } from '../../support/sdk-s3';
import { testServices } from '../../support/services';

let services: Services;
let blobs: S3BlobStore;
let copies: BlobCopyStore;
let streams: BlobStreamStore;

beforeAll(async () => {
  services = await testServices();
  blobs = services.blobs as S3BlobStore;
  copies = services.blobCopies;
  streams = services.blobStreams;
});

const text = (value: string) => new TextEncoder().encode(value);

describe('blob store on s3rver', () => {
  it('puts bytes with a content type that the SDK reads back, and heads their size and ETag', async () => {
    // act
    await blobs.put('files/store/put.txt', text('hello world'), 'text/plain');
    const head = await blobs.head('files/store/put.txt');

    // assess
    const stored = await sdkS3(services.config).send(new GetObjectCommand({ Bucket: services.config.FILES_BUCKET, Key: 'files/store/put.txt' }));
    expect(await stored.Body!.transformToString()).toBe('hello world');
    expect(stored.ContentType).toBe('text/plain');
    expect(head).toEqual({ size: 11, eTag: stored.ETag });
  });

  it('writes a stream of 12 MiB in 5 MiB parts and returns its size; a stream that fails leaves no object and no open upload', async () => {
    // prepare: pieces of 1 MiB, as a CAR writer hands them out
    const piece = (index: number) => new Uint8Array(1024 * 1024).fill(index);
    const pieces = async function* () {
      for (let index = 0; index < 12; index++) yield piece(index);
    };
    const failing = async function* () {
      for (let index = 0; index < 7; index++) yield piece(index);
      throw new Error('the walk found a block that does not hash to its CID');
    };

    // act
    const size = await streams.putStream('derived/store/stream.car', pieces(), 'application/vnd.ipld.car; version=1');
    const failure = await streams.putStream('derived/store/failed.car', failing(), 'application/vnd.ipld.car').catch((error: Error) => error);

    // assess
    expect(size).toBe(12 * 1024 * 1024);
    const stored = await sdkS3(services.config).send(new GetObjectCommand({ Bucket: services.config.FILES_BUCKET, Key: 'derived/store/stream.car' }));
    const bytes = await stored.Body!.transformToByteArray();
    expect(bytes.byteLength).toBe(12 * 1024 * 1024);
    expect([0, 5, 11].map((index) => bytes[index * 1024 * 1024 + 17])).toEqual([0, 5, 11]);
    expect(stored.ContentType).toBe('application/vnd.ipld.car; version=1');
    expect((failure as Error).message).toContain('does not hash');
    expect(await blobs.head('derived/store/failed.car')).toBeUndefined();
    const open = await sdkS3(services.config).send(new ListMultipartUploadsCommand({ Bucket: services.config.FILES_BUCKET, Prefix: 'derived/store/' }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('reads whole, by inclusive byte range, and as a stream', async () => {
    // prepare
    await blobs.put('files/store/range.txt', text('0123456789'), 'text/plain');

    // act
    const whole = await blobs.readAll('files/store/range.txt');
    const range = await blobs.readAll('files/store/range.txt', { start: 2, end: 5 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of (await blobs.read('files/store/range.txt'))!) chunks.push(chunk);

    // assess
    expect(new TextDecoder().decode(whole)).toBe('0123456789');
    expect(new TextDecoder().decode(range)).toBe('2345');
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('0123456789');
  });

  it('copies a key with spaces and parentheses within the bucket, and replicates it verified', async () => {
    // prepare
    await blobs.put('uploads/store/source (1).txt', text('copied bytes'), 'text/plain');

    // act
    const copy = await copies.copy('uploads/store/source (1).txt', 'files/store/copy.txt');
    const replicated = await copies.replicate('files/store/copy.txt');

    // assess
    const replica = await sdkS3(services.config).send(new HeadObjectCommand({ Bucket: services.config.REPLICA_BUCKET, Key: 'files/store/copy.txt' }));
    expect(copy).toEqual({ size: 12, eTag: replica.ETag });
    expect(replicated).toBe('verified');
    expect(await blobs.headReplica('files/store/copy.txt')).toEqual({ size: 12, eTag: replica.ETag });
  });

  it('reads a missing object as missing: head and read undefined, copy undefined, replicate gone, readAll ObjectMissingError (cause NoSuchKey)', async () => {
    // act
    const readAll = await blobs.readAll('files/store/missing').catch((caught: unknown) => caught);

    // assess
    expect(await blobs.head('files/store/missing')).toBeUndefined();
    expect(await blobs.read('files/store/missing')).toBeUndefined();
    expect(await copies.copy('files/store/missing', 'files/store/never')).toBeUndefined();
    expect(await copies.replicate('files/store/missing')).toBe('gone');
    const cause = (readAll as Error).cause as Error;
    expect([(readAll as Error).name, readAll instanceof ObjectMissingError, cause?.name, isMissingObject(cause)]).toEqual(['ObjectMissingError', true, 'NoSuchKey', true]);
  });

  it('deletes, also an object that is not there, in the bucket and the replica', async () => {
    // prepare
    await sdkS3(services.config).send(new PutObjectCommand({ Bucket: services.config.REPLICA_BUCKET, Key: 'files/store/delete.txt', Body: 'x' }));
    await blobs.put('files/store/delete.txt', text('x'), 'text/plain');

    // act
    await blobs.delete('files/store/delete.txt');
    await blobs.delete('files/store/delete.txt');
    await blobs.deleteReplica('files/store/delete.txt');

    // assess
    expect(await blobs.head('files/store/delete.txt')).toBeUndefined();
    expect(await blobs.headReplica('files/store/delete.txt')).toBeUndefined();
  });

  it('a presigned PUT stores exactly the declared size without a Content-Type, and a presigned GET serves it with the overridden headers', async () => {
    // prepare
    const put = await blobs.presignUpload('uploads/store/presigned.txt', 60, 5);

    // act
    const stored = await fetch(put, { method: 'PUT', body: 'hello' });
    const get = await blobs.presignDownload('uploads/store/presigned.txt', 60, 'a b.txt', 'text/plain');
    const served = await fetch(get);

    // assess
    expect(stored.status).toBe(200);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('hello');
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="a b.txt"');
    expect(served.headers.get('content-type')).toBe('text/plain');
  });
});

const MIB = 1024 * 1024;

/**
 * A blob store that copies in parts above 5 MiB, on a client of its own whose S3 commands are counted (in the order
 * sent); `beforeSend` runs before each command, to change the world between the store's steps.
 */
async function partCopyingStore(beforeSend: (command: string) => Promise<void> = async () => {}) {
  const client: S3Client = await createAwsClients(services.config).s3();
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName!.replace(/Command$/, ''));
      await beforeSend(sent.at(-1)!);
      return next(args);
    },
    { step: 'initialize', name: 'countS3Commands' },
  );
  const { FILES_BUCKET, REPLICA_BUCKET } = services.config;
  const store = new S3BlobCopyStore(async () => client, FILES_BUCKET, REPLICA_BUCKET, new S3BlobStore(async () => client, FILES_BUCKET, REPLICA_BUCKET), 5 * MIB);
  return { store, sent };
}

const bytesOf = (size: number, seed: number) => Buffer.concat([...prngBlocks(size, seed)]);

async function stored(bucket: string, key: string): Promise<Buffer> {
  const { Body } = await sdkS3(services.config).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

async function openUploads(bucket: string, prefix: string): Promise<number> {
  const { Uploads } = await sdkS3(services.config).send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return Uploads?.length ?? 0;
}

describe('copies above the multipart copy threshold (5 MiB here; S3 CopyObject stops at 5 GiB)', () => {
  it('copies 12 MiB in three 5 MiB-range parts and replicates it verified, the bytes identical', async () => {
    // prepare
    const bytes = bytesOf(12 * MIB + 3, 7);
    await blobs.put('uploads/store/large (1).bin', bytes, 'application/x-test');
    const source = await blobs.head('uploads/store/large (1).bin');
    const { store, sent } = await partCopyingStore();

    // act
    const copy = await store.copy('uploads/store/large (1).bin', 'files/store/large.bin');
    const replicated = await store.replicate('files/store/large.bin');

    // assess
    expect(copy).toEqual(source);
    expect(replicated).toBe('verified');
    // ListMultipartUploads: no copy of that target was begun earlier (one would be resumed).
    const copyCalls = ['HeadObject', 'ListMultipartUploads', 'CreateMultipartUpload', 'UploadPartCopy', 'UploadPartCopy', 'UploadPartCopy', 'CompleteMultipartUpload'];
    expect(sent).toEqual([...copyCalls, ...copyCalls, 'HeadObject']);
    expect((await stored(services.config.FILES_BUCKET, 'files/store/large.bin')).equals(bytes)).toBe(true);
    expect((await stored(services.config.REPLICA_BUCKET, 'files/store/large.bin')).equals(bytes)).toBe(true);
    const head = await sdkS3(services.config).send(new HeadObjectCommand({ Bucket: services.config.REPLICA_BUCKET, Key: 'files/store/large.bin' }));
    expect(head.ContentType).toBe('application/x-test');
  });

  it('a copy in slices of 5 MiB: one part a call, each later call resuming the open upload, complete on the third, no part copied twice', async () => {
    // prepare
    const bytes = bytesOf(12 * MIB + 5, 12);
    await blobs.put('uploads/store/sliced.bin', bytes, 'application/octet-stream');
    const source = await blobs.head('uploads/store/sliced.bin');
    const { store, sent } = await partCopyingStore();
    const slice = { maxMs: 60_000, maxBytes: 5 * MIB };

    // act
    const outcomes = [];
    for (let call = 0; call < 4; call++) {
      const outcome = await store.copy('uploads/store/sliced.bin', 'files/store/sliced.bin', slice);
      outcomes.push(outcome);
      if (outcome !== 'continued') break;
    }

    // assess
    expect(outcomes).toEqual(['continued', 'continued', source]);
    expect(sent.filter((command) => command === 'CreateMultipartUpload')).toHaveLength(1);
    expect(sent.filter((command) => command === 'UploadPartCopy')).toHaveLength(3);
    expect(sent.filter((command) => command === 'ListParts')).toHaveLength(2);
    expect((await stored(services.config.FILES_BUCKET, 'files/store/sliced.bin')).equals(bytes)).toBe(true);
    expect(await openUploads(services.config.FILES_BUCKET, 'files/store/sliced.bin')).toBe(0);
  });

  it('a part that fails (S3 500 after the retries) leaves the upload open: the next call copies only the parts S3 does not hold', async () => {
    // prepare: the second part copy of the first call fails
    const bytes = bytesOf(16 * MIB, 13);
    await blobs.put('files/store/interrupted.bin', bytes, 'application/octet-stream');
    let parts = 0;
    const failing = await partCopyingStore(async (command) => {
      if (command === 'UploadPartCopy' && ++parts === 2) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    });
    const resuming = await partCopyingStore();

    // act
    const first = await failing.store.replicate('files/store/interrupted.bin').catch((error: Error) => error.name);
    const openAfterFailure = await openUploads(services.config.REPLICA_BUCKET, 'files/store/interrupted.bin');
    const second = await resuming.store.replicate('files/store/interrupted.bin');

    // assess: 4 parts (5, 5, 5, 1 MiB); the first call copied 3 of them (8 at a time: all but the failed one started)
    expect(first).toBe('InternalError');
    expect(openAfterFailure).toBe(1);
    expect(failing.sent).not.toContain('AbortMultipartUpload');
    expect(second).toBe('verified');
    expect(resuming.sent.filter((command) => command === 'CreateMultipartUpload')).toHaveLength(0);
    expect(resuming.sent.filter((command) => command === 'UploadPartCopy')).toHaveLength(1);
    expect((await stored(services.config.REPLICA_BUCKET, 'files/store/interrupted.bin')).equals(bytes)).toBe(true);
    expect(await openUploads(services.config.REPLICA_BUCKET, 'files/store/interrupted.bin')).toBe(0);
  });

  it('copies at or under the threshold in one CopyObject', async () => {
    // prepare
    await blobs.put('uploads/store/small.bin', bytesOf(5 * MIB, 8), 'application/octet-stream');
    const { store, sent } = await partCopyingStore();

    // act
    const copy = await store.copy('uploads/store/small.bin', 'files/store/small.bin');

    // assess
    expect(copy).toMatchObject({ size: 5 * MIB });
    expect(sent).toEqual(['HeadObject', 'CopyObject']);
  });

  it('a source that vanishes during the copy: copy undefined, replicate gone, the target upload aborted and nothing at the target', async () => {
    // prepare: the source is deleted as the first part is about to be copied
    await blobs.put('uploads/store/vanishing.bin', bytesOf(11 * MIB, 9), 'application/octet-stream');
    await blobs.put('files/store/vanishing.bin', bytesOf(11 * MIB, 9), 'application/octet-stream');
    const deleteOnFirstPart = (bucket: string, key: string) => {
      let deleted = false;
      return async (command: string) => {
        if (command !== 'UploadPartCopy' || deleted) return;
        deleted = true;
        await sdkS3(services.config).send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      };
    };
    const forCopy = await partCopyingStore(deleteOnFirstPart(services.config.FILES_BUCKET, 'uploads/store/vanishing.bin'));
    const forReplica = await partCopyingStore(deleteOnFirstPart(services.config.FILES_BUCKET, 'files/store/vanishing.bin'));

    // act
    const copy = await forCopy.store.copy('uploads/store/vanishing.bin', 'files/store/vanished.bin');
    const replicated = await forReplica.store.replicate('files/store/vanishing.bin');

    // assess
    expect(copy).toBeUndefined();
    expect(replicated).toBe('gone');
    expect(forCopy.sent).toContain('AbortMultipartUpload');
    expect(forReplica.sent).toContain('AbortMultipartUpload');
    expect(await openUploads(services.config.FILES_BUCKET, 'files/store/vanished.bin')).toBe(0);
    expect(await openUploads(services.config.REPLICA_BUCKET, 'files/store/vanishing.bin')).toBe(0);
    expect(await blobs.head('files/store/vanished.bin')).toBeUndefined();
    expect(await blobs.headReplica('files/store/vanishing.bin')).toBeUndefined();
  });

  it('a source rewritten during the copy: copy undefined (If-Match refused), the target upload aborted', async () => {
    // prepare: other bytes are put at the source as the first part is about to be copied
    await blobs.put('uploads/store/rewritten.bin', bytesOf(11 * MIB, 10), 'application/octet-stream');
    let rewritten = false;
    const { store, sent } = await partCopyingStore(async (command) => {
      if (command !== 'UploadPartCopy' || rewritten) return;
      rewritten = true;
      await sdkS3(services.config).send(new PutObjectCommand({ Bucket: services.config.FILES_BUCKET, Key: 'uploads/store/rewritten.bin', Body: bytesOf(11 * MIB, 11) }));
    });

    // act
    const copy = await store.copy('uploads/store/rewritten.bin', 'files/store/rewritten.bin');

    // assess
    expect(copy).toBeUndefined();
    expect(sent.at(-1)).toBe('AbortMultipartUpload');
    expect(await openUploads(services.config.FILES_BUCKET, 'files/store/rewritten.bin')).toBe(0);
    expect(await blobs.head('files/store/rewritten.bin')).toBeUndefined();
  });

  it('a source rewritten between its HEAD and a single CopyObject: copy undefined (If-Match refused), nothing copied', async () => {
    // prepare
    await blobs.put('uploads/store/rewritten-small.txt', text('first bytes'), 'text/plain');
    const { store } = await partCopyingStore(async (command) => {
      if (command !== 'CopyObject') return;
      await sdkS3(services.config).send(new PutObjectCommand({ Bucket: services.config.FILES_BUCKET, Key: 'uploads/store/rewritten-small.txt', Body: 'other bytes' }));
    });

    // act
    const copy = await store.copy('uploads/store/rewritten-small.txt', 'files/store/rewritten-small.txt');

    // assess
    expect(copy).toBeUndefined();
    expect(await blobs.head('files/store/rewritten-small.txt')).toBeUndefined();
  });
});

describe("s3rver's UploadPartCopy (lib/local/s3rver-multipart.ts), as S3 answers it", () => {
  it('copies an inclusive range as the part (ETag: its MD5); refuses a range past the end, a missing source, another ETag', async () => {
    // prepare
    const s3 = sdkS3(services.config);
    const Bucket = services.config.FILES_BUCKET;
    await blobs.put('uploads/store/part-source.txt', text('0123456789'), 'text/plain');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'files/store/part-target.txt' }));
    const partCopy = (input: { CopySource?: string; CopySourceRange?: string; CopySourceIfMatch?: string }) =>
      s3.send(new UploadPartCopyCommand({ Bucket, Key: 'files/store/part-target.txt', UploadId, PartNumber: 1, CopySource: `${Bucket}/uploads/store/part-source.txt`, ...input }));
    const refusal = (input: Parameters<typeof partCopy>[0]) => partCopy(input).then(() => 'copied', (error: Error & { $metadata: { httpStatusCode?: number } }) => `${error.$metadata.httpStatusCode} ${error.name}`);

    // act
    const copied = await partCopy({ CopySourceRange: 'bytes=2-5' });
    const refusals = [
      await refusal({ CopySourceRange: 'bytes=5-10' }),
      await refusal({ CopySource: `${Bucket}/uploads/store/no-such-source.txt` }),
      await refusal({ CopySourceIfMatch: '"0123"' }),
    ];
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'files/store/part-target.txt', UploadId }));

    // assess
    expect(copied.CopyPartResult?.ETag).toBe(`"${createHash('md5').update('2345').digest('hex')}"`);
    expect(refusals).toEqual(['400 InvalidArgument', '404 NoSuchKey', '412 PreconditionFailed']);
  });
});

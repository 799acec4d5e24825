/**
 * The blob store (lib/store/blob-store.ts, `@aws-sdk/client-s3` with the settings of lib/store/clients.ts)
 * against s3rver: what each operation returns and how a missing object reads, as the lifecycle and the
 * gateways rely on them. What it writes is read back through a separate SDK client (test/support/sdk-s3.ts).
 */
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { ObjectMissingError } from '../../../lib/core/model/storage-errors';
import { isMissingObject, S3BlobStore } from '../../../lib/store/blob-store';
import { sdkS3 } from '../../support/sdk-s3';
import { testServices } from '../../support/services';

let services: Services;
let blobs: S3BlobStore;

beforeAll(async () => {
  services = await testServices();
  blobs = services.blobs as S3BlobStore;
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
    const size = await blobs.putStream('derived/store/stream.car', pieces(), 'application/vnd.ipld.car; version=1');
    const failure = await blobs.putStream('derived/store/failed.car', failing(), 'application/vnd.ipld.car').catch((error: Error) => error);

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
    const copy = await blobs.copy('uploads/store/source (1).txt', 'files/store/copy.txt');
    const replicated = await blobs.replicate('files/store/copy.txt');

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
    expect(await blobs.copy('files/store/missing', 'files/store/never')).toBeUndefined();
    expect(await blobs.replicate('files/store/missing')).toBe('gone');
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

/**
 * lib/store/s3-client.ts against s3rver: what each operation returns and which
 * error S3 names, as the blob store and the lifecycle rely on them. What the
 * service writes is read back through the AWS SDK (test/support/sdk-s3.ts).
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMissingObject } from '../../../lib/store/blob-store';
import { S3Error, type S3Client } from '../../../lib/store/s3-client';
import type { Services } from '../../../lib/services';
import { sdkS3 } from '../../support/sdk-s3';
import { testServices } from '../../support/services';

let services: Services;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  services = await testServices();
  s3 = services.clients.s3;
  bucket = services.config.FILES_BUCKET;
});

const text = (value: string) => new TextEncoder().encode(value);

async function thrown(promise: Promise<unknown>): Promise<S3Error> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(S3Error);
  return error as S3Error;
}

describe('S3 client on s3rver', () => {
  it('puts bytes with a content type that the SDK reads back, and heads their size and ETag', async () => {
    // act
    await s3.putObject(bucket, 'client/put.txt', text('hello world'), 'text/plain');
    const head = await s3.headObject(bucket, 'client/put.txt');

    // assess
    const stored = await sdkS3(services.config).send(new GetObjectCommand({ Bucket: bucket, Key: 'client/put.txt' }));
    expect(await stored.Body!.transformToString()).toBe('hello world');
    expect(stored.ContentType).toBe('text/plain');
    expect(head).toEqual({ contentLength: 11, eTag: stored.ETag });
  });

  it('reads whole, by inclusive byte range, and as a stream', async () => {
    // prepare
    await s3.putObject(bucket, 'client/range.txt', text('0123456789'));

    // act
    const whole = await s3.getObjectBytes(bucket, 'client/range.txt');
    const range = await s3.getObjectBytes(bucket, 'client/range.txt', { start: 2, end: 5 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of await s3.getObject(bucket, 'client/range.txt')) chunks.push(chunk);

    // assess
    expect(new TextDecoder().decode(whole)).toBe('0123456789');
    expect(new TextDecoder().decode(range)).toBe('2345');
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('0123456789');
  });

  it('copies within and across buckets, returning the ETag the copy has', async () => {
    // prepare
    await s3.putObject(bucket, 'client/source (1).txt', text('copied bytes'));

    // act
    const within = await s3.copyObject({ bucket, key: 'client/source (1).txt' }, { bucket, key: 'client/copy.txt' });
    const across = await s3.copyObject({ bucket, key: 'client/source (1).txt' }, { bucket: services.config.REPLICA_BUCKET, key: 'client/copy.txt' });

    // assess
    const copy = await sdkS3(services.config).send(new HeadObjectCommand({ Bucket: services.config.REPLICA_BUCKET, Key: 'client/copy.txt' }));
    expect(within.eTag).toBe(copy.ETag);
    expect(across.eTag).toBe(copy.ETag);
    expect(copy.ContentLength).toBe(12);
  });

  it('names a missing object as S3 does: NoSuchKey (404) for GET and copy, NotFound (404) for HEAD', async () => {
    // act
    const get = await thrown(s3.getObjectBytes(bucket, 'client/missing'));
    const head = await thrown(s3.headObject(bucket, 'client/missing'));
    const copy = await thrown(s3.copyObject({ bucket, key: 'client/missing' }, { bucket, key: 'client/never' }));

    // assess
    expect([get.name, get.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    expect([head.name, head.$metadata.httpStatusCode]).toEqual(['NotFound', 404]);
    expect(copy.name).toBe('NoSuchKey');
    expect([get, head, copy].every(isMissingObject)).toBe(true);
  });

  it('deletes (also an object that is not there), heads and creates buckets', async () => {
    // prepare
    await s3.putObject(bucket, 'client/delete.txt', text('x'));
    const newBucket = `${bucket}-new`;

    // act
    await s3.deleteObject(bucket, 'client/delete.txt');
    await s3.deleteObject(bucket, 'client/delete.txt');
    const missingBucket = await thrown(s3.headBucket(newBucket));
    await s3.createBucket(newBucket);

    // assess
    expect(isMissingObject(await thrown(s3.headObject(bucket, 'client/delete.txt')))).toBe(true);
    expect(missingBucket.$metadata.httpStatusCode).toBe(404);
    await expect(s3.headBucket(newBucket)).resolves.toBeUndefined();
  });

  it('a presigned PUT stores the bytes and a presigned GET serves them with the overridden headers', async () => {
    // prepare
    const put = await s3.presignPutObject(bucket, 'client/presigned.txt', 60, 5);

    // act
    const stored = await fetch(put, { method: 'PUT', body: 'hello' });
    const get = await s3.presignGetObject(bucket, 'client/presigned.txt', 60, { 'response-content-disposition': 'attachment; filename="a b.txt"', 'response-content-type': 'text/plain' });
    const served = await fetch(get);

    // assess
    expect(stored.status).toBe(200);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('hello');
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="a b.txt"');
    expect(served.headers.get('content-type')).toBe('text/plain');
  });
});

/**
 * The file lifecycle 1→2→3→4 through the Apillon routes and the real S3 event
 * function, against DynamoDB Local and s3rver: replayed and reordered events,
 * replacements, rejected uploads, and a multi-chunk file's known-answer CIDs.
 */
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import { createTestTenant, type TestTenant } from '../../support/services';
import { call, deliverEvents, objectKeyOf, prngBytes, putBytes, tableSnapshot, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

async function requestUpload(tenant: TestTenant, body: Record<string, unknown>) {
  const response = await call('uploadRequest', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, body });
  expect(response.statusCode, response.rawBody).toBe(201);
  return { ...response.body.data, key: objectKeyOf(response.body.data.url) } as { fileUuid: string; url: string; key: string };
}

async function detail(tenant: TestTenant, id: string) {
  const response = await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id }, headers: tenant.headers.basic });
  return response.body.data;
}

async function usage(tenant: TestTenant) {
  const [account, bucket] = await Promise.all([services.accounts.getAccount(tenant.accountId), services.buckets.get(tenant.bucket.bucketUuid)]);
  return { account: account!.usedBytes, bucket: bucket!.sizeBytes };
}

describe('events delivered twice and out of order', () => {
  it('end in the same state and usage as one orderly delivery', async () => {
    // prepare: A and B uploaded, then A replaced by A2 (same path)
    const tenant = await createTestTenant(services);
    const a = await requestUpload(tenant, { fileName: 'a.txt', contentType: 'text/plain', path: 'docs' });
    const b = await requestUpload(tenant, { fileName: 'b.txt', contentType: 'text/plain', path: 'docs' });
    await putBytes(a.url, 'first version of a');
    await putBytes(b.url, 'bee');
    await deliverEvents(services, [a.key, b.key]);
    const a2 = await requestUpload(tenant, { fileName: 'a.txt', contentType: 'text/plain', path: 'docs' });
    await putBytes(a2.url, 'A2');
    await deliverEvents(services, [a2.key]);
    const settled = await tableSnapshot(services);
    const settledUsage = await usage(tenant);

    // act: every event again, twice, in another order (the replaced A's too)
    await deliverEvents(services, [b.key, a2.key, a.key, b.key, a.key, a2.key]);

    // assess
    expect(await tableSnapshot(services)).toEqual(settled);
    expect(await usage(tenant)).toEqual(settledUsage);
    expect(settledUsage).toEqual({ account: 'A2'.length + 'bee'.length, bucket: 'A2'.length + 'bee'.length });
    expect((await detail(tenant, a2.fileUuid)).fileStatus).toBe(4);
    expect((await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id: a.fileUuid }, headers: tenant.headers.basic })).statusCode).toBe(404);
  });

  it('reach the same state when the events of A, B, A, B arrive before any was processed in order', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    const a = await requestUpload(tenant, { fileName: 'a.bin', contentType: 'application/octet-stream' });
    const b = await requestUpload(tenant, { fileName: 'b.bin', contentType: 'application/octet-stream' });
    await Promise.all([putBytes(a.url, prngBytes(1000, 1)), putBytes(b.url, prngBytes(2000, 2))]);

    // act
    await deliverEvents(services, [b.key, a.key, b.key, a.key]);
    const first = await tableSnapshot(services);
    await deliverEvents(services, [a.key, b.key]);

    // assess
    expect(await tableSnapshot(services)).toEqual(first);
    expect(await usage(tenant)).toEqual({ account: 3000, bucket: 3000 });
    expect([(await detail(tenant, a.fileUuid)).fileStatus, (await detail(tenant, b.fileUuid)).fileStatus]).toEqual([4, 4]);
  });

  it('take a file from 1 to 4 even when the events of a later replacement arrive first', async () => {
    // prepare: two requests for one path; the second's bytes and event arrive first
    const tenant = await createTestTenant(services);
    const older = await requestUpload(tenant, { fileName: 'x.txt', contentType: 'text/plain' });
    const newer = await requestUpload(tenant, { fileName: 'x.txt', contentType: 'text/plain' });
    await putBytes(newer.url, 'newer bytes');
    await putBytes(older.url, 'older, longer bytes');

    // act
    await deliverEvents(services, [newer.key, older.key, newer.key]);

    // assess: the last to arrive holds the path; only its size is charged
    const listing = await call('content', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic });
    expect(listing.body.data.items.map((item: { name: string }) => item.name)).toEqual(['x.txt']);
    expect(listing.body.data.total).toBe(1);
    expect(await usage(tenant)).toEqual({ account: listing.body.data.items[0].size, bucket: listing.body.data.items[0].size });
  });
});

describe('replacing a file', () => {
  it('charges only the new size', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'r.txt', bytes: 'x'.repeat(100) });

    // act
    const second = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'r.txt', bytes: 'y'.repeat(30) });

    // assess
    expect(await usage(tenant)).toEqual({ account: 30, bucket: 30 });
    expect(await detail(tenant, second.fileUuid)).toMatchObject({ fileStatus: 4, file: { size: 30, name: 'r.txt' } });
  });
});

describe('rejected uploads', () => {
  it('gets an error status and a reason naming both sizes when the bytes differ from the declared size; bytes deleted, nothing charged', async () => {
    // prepare: a client that bypasses the signed Content-Length (bytes put straight into S3)
    const tenant = await createTestTenant(services);
    const upload = await requestUpload(tenant, { fileName: 's.txt', contentType: 'text/plain', fileSize: 10 });
    await services.blobs.put(upload.key, Buffer.from('twenty bytes, not 10'), 'text/plain');

    // act
    await deliverEvents(services, [upload.key, upload.key]);

    // assess
    const rejected = await detail(tenant, upload.fileUuid);
    expect(rejected.fileStatus).toBe(101);
    expect(rejected.file.rejectionReason).toBe('FILE_SIZE_MISMATCH: "s.txt" arrived as 20 bytes; its upload request declared 10 bytes, and the upload was admitted (quota, the bucket\'s maxFileSize) on that size');
    expect(await services.blobs.head(upload.key)).toBeUndefined();
    expect(await usage(tenant)).toEqual({ account: 0, bucket: 0 });
  });

  it('signs a declared size into the URL (S3 refuses other lengths; s3rver does not check SigV4, the event function does)', async () => {
    // prepare
    const tenant = await createTestTenant(services);

    // act
    const upload = await requestUpload(tenant, { fileName: 'signed.txt', contentType: 'text/plain', fileSize: 4 });

    // assess
    const query = new URL(upload.url).searchParams;
    expect(query.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(query.get('X-Amz-Expires')).toBe('60');
  });

  it('gets an error status when the bytes exceed the quota; bytes deleted, nothing charged', async () => {
    // prepare
    const tenant = await createTestTenant(services, { quotaBytes: 50 });
    const upload = await requestUpload(tenant, { fileName: 'big.bin', contentType: 'application/octet-stream' });
    await putBytes(upload.url, prngBytes(51, 9));

    // act
    await deliverEvents(services, [upload.key, upload.key]);

    // assess
    expect((await detail(tenant, upload.fileUuid)).fileStatus).toBe(102);
    expect(await services.blobs.head(upload.key)).toBeUndefined();
    expect(await usage(tenant)).toEqual({ account: 0, bucket: 0 });
  });
});

describe('content addressing', () => {
  it('takes a 5 MiB file to status 4 with the known-answer CIDs of test/unit/cid.test.ts', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    const bytes = prngBytes(5 * 1024 * 1024, 4);

    // act
    const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'five.bin', bytes });

    // assess
    const data = await detail(tenant, fileUuid);
    expect(data.fileStatus).toBe(4);
    expect(data.file).toMatchObject({
      CID: 'bafybeihcg37pquijfmdsiywzowu73fdwrvrik6jz4iqfrqkf72edxyo3te',
      CIDv0: 'Qmert6YrsEiwQ4K4XqJybSbhcXpCkqNJwduovHHhLHx7wv',
      size: 5 * 1024 * 1024,
    });
    const stored = (await services.entries.get(fileUuid))!;
    expect(await services.blobs.headReplica(stored.objectKey!)).toMatchObject({ size: 5 * 1024 * 1024 });
  });
});

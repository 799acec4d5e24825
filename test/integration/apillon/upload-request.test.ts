/** `POST /storage/:bucketUuid/upload`: the seed's single-file upload request. */
import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { call, objectKeyOf, tableSnapshot } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const upload = (body: unknown, headers = tenant.headers.basic, bucketUuid = tenant.bucket.bucketUuid) =>
  call('uploadRequest', { params: { bucketUuid }, headers, body: body as object });

describe('a valid upload request', () => {
  it('answers 201 with the presigned URL (twice, as signedUrlForUpload and url), fileUuid and request id', async () => {
    // act
    const response = await upload({ fileName: 'My file.txt', contentType: 'text/plain' });

    // assess
    expectApillonSuccess(response, 201);
    const data = response.body.data;
    expect(Object.keys(data).sort()).toEqual(['fileUploadRequestId', 'fileUuid', 'signedUrlForUpload', 'url']);
    expect(data.url).toBe(data.signedUrlForUpload);
    expect(data.fileUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isInteger(data.fileUploadRequestId)).toBe(true);
  });

  it('signs a 60 s PUT to an id-only key, with no checksum and no Content-Type to match', async () => {
    // act
    const response = await upload({ fileName: 'photo of me.jpg', contentType: 'image/jpeg' });

    // assess
    const url = new URL(response.body.data.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect([...url.searchParams.keys()].filter((key) => /checksum|content-type/i.test(key))).toEqual([]);
    expect(objectKeyOf(url.href)).toBe(`uploads/${tenant.bucket.bucketUuid}/${response.body.data.fileUuid}`);
  });

  it('answers the detail with fileStatus 1 before the bytes arrive', async () => {
    // prepare
    const { body } = await upload({ fileName: 'pending.txt', contentType: 'text/plain' });

    // act
    const detail = await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id: body.data.fileUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(detail);
    expect(detail.body.data).toMatchObject({ fileStatus: 1, file: { fileUuid: body.data.fileUuid, name: 'pending.txt', CID: null, downloadLink: null, status: 5 } });
  });

  it('creates the directories of `path` on the way', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const response = await upload({ fileName: 'x.svg', contentType: 'image/svg+xml', path: 'images/icons' }, tenant.headers.basic, bucket.bucketUuid);

    // assess
    expect(response.statusCode).toBe(201);
    const root = await call('content', { params: { bucketUuid: bucket.bucketUuid }, headers: tenant.headers.basic });
    expect(root.body.data.items).toMatchObject([{ type: 'directory', name: 'images' }]);
    const images = await call('content', { params: { bucketUuid: bucket.bucketUuid }, query: { directoryId: String(root.body.data.items[0].id) }, headers: tenant.headers.basic });
    expect(images.body.data.items).toMatchObject([{ type: 'directory', name: 'icons', parentDirectoryId: root.body.data.items[0].id }]);
  });

  it('works with the master key and an application token of the bucket', async () => {
    // act
    const responses = await Promise.all([
      upload({ fileName: 'm.txt', contentType: 'text/plain' }, tenant.headers.master),
      upload({ fileName: 'a.txt', contentType: 'text/plain' }, tenant.headers.application),
    ]);

    // assess
    expect(responses.map((response) => response.statusCode)).toEqual([201, 201]);
  });
});

describe('a refused upload request', () => {
  it.each([
    [{ contentType: 'text/plain' }, 42200008, 'FILE_NAME_NOT_PRESENT', 'fileName'],
    [{ fileName: '   ', contentType: 'text/plain' }, 42200008, 'FILE_NAME_NOT_PRESENT', 'fileName'],
    [{ fileName: 'a.txt' }, 42200009, 'FILE_CONTENT_TYPE_NOT_PRESENT', 'contentType'],
    [{ fileName: 'a.txt', contentType: '' }, 42200009, 'FILE_CONTENT_TYPE_NOT_PRESENT', 'contentType'],
    [{ fileName: 'a/b.txt', contentType: 'text/plain' }, 42200012, 'FILE_NAME_NOT_VALID', 'fileName'],
    [{ fileName: '..', contentType: 'text/plain' }, 42200012, 'FILE_NAME_NOT_VALID', 'fileName'],
    [{ fileName: 'x'.repeat(256), contentType: 'text/plain' }, 42200012, 'FILE_NAME_NOT_VALID', 'fileName'],
    [{ fileName: 12, contentType: 'text/plain' }, 42200008, 'FILE_NAME_NOT_PRESENT', 'fileName'],
    [{ fileName: 'a.txt', contentType: 'text/plain\r\nx-evil: 1' }, 42200015, 'CONTENT_TYPE_NOT_VALID', 'contentType'],
    [{ fileName: 'a.txt', contentType: 'text/plain', path: '../up' }, 42200010, 'PATH_NOT_VALID', 'path'],
    [{ fileName: 'a.txt', contentType: 'text/plain', path: 'a/'.repeat(600) }, 42200010, 'PATH_NOT_VALID', 'path', { maximum: 1024 }],
    [{ fileName: 'a.txt', contentType: 'text/plain', fileSize: -1 }, 42200013, 'FILE_SIZE_NOT_VALID', 'fileSize', { minimum: 0 }],
    [{ fileName: 'a.txt', contentType: 'text/plain', fileSize: 1.5 }, 42200013, 'FILE_SIZE_NOT_VALID', 'fileSize'],
    // A size over the single PUT's limit names it (5 GiB, bytes): issue 21, every size refusal names its limit.
    [{ fileName: 'a.txt', contentType: 'text/plain', fileSize: 6 * 1024 ** 3 }, 42200013, 'FILE_SIZE_NOT_VALID', 'fileSize', { maximum: 5 * 1024 ** 3 }],
  ])('%j → 422 %s, nothing stored', async (body, code, message, property, bound?: { minimum?: number; maximum?: number }) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await upload(body);

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toContainEqual({ code, message, property, ...bound });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('answers 404 BUCKET_NOT_FOUND for an unknown or malformed bucket uuid', async () => {
    // act
    const responses = await Promise.all(
      ['3f1d2c4b-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(2000)].map((bucketUuid) =>
        upload({ fileName: 'a.txt', contentType: 'text/plain' }, tenant.headers.basic, bucketUuid),
      ),
    );

    // assess
    for (const response of responses) expectApillonError(response, { status: 404, code: 40406002, message: 'BUCKET_NOT_FOUND' });
  });

  it('answers 403 for a bucket of another account', async () => {
    // prepare
    const other = await createTestTenant(services);

    // act
    const response = await upload({ fileName: 'a.txt', contentType: 'text/plain' }, tenant.headers.basic, other.bucket.bucketUuid);

    // assess
    expectApillonError(response, { status: 403, code: 40300001, message: 'Insufficient permissions to access this record' });
  });

  it('needs KEY_EXECUTE (READ and WRITE do not do)', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.READ, Permission.WRITE]);

    // act
    const response = await upload({ fileName: 'a.txt', contentType: 'text/plain' }, { authorization: key.authorization });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_EXECUTE permission' });
  });

  it('answers 40406009 for a bucket marked for deletion', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    await services.buckets.markForDeletion(bucket.bucketUuid, new Date().toISOString());

    // act
    const response = await upload({ fileName: 'a.txt', contentType: 'text/plain' }, tenant.headers.basic, bucket.bucketUuid);

    // assess
    expectApillonError(response, { status: 404, code: 40406009, message: 'BUCKET_IS_MARKED_FOR_DELETION' });
  });

  it('answers 40006003 when the declared size exceeds the account quota', async () => {
    // prepare
    const small = await createTestTenant(services, { quotaBytes: 100 });

    // act
    const response = await upload({ fileName: 'a.bin', contentType: 'application/octet-stream', fileSize: 101 }, small.headers.basic, small.bucket.bucketUuid);

    // assess
    expectApillonError(response, {
      status: 400,
      code: 40006003,
      message: 'NOT_ENOUGH_STORAGE_SPACE',
      details: { limitBytes: 100, usedBytes: 0, requestedBytes: 101, availableBytes: 100, reason: '101 bytes more would pass the account’s quota of 100 bytes (0 used, 100 left)' },
    });
  });

  it('answers 40006002 when the declared size exceeds the bucket limit', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId, { maxSizeBytes: 10 });

    // act
    const response = await upload({ fileName: 'a.bin', contentType: 'application/octet-stream', size: 11 }, tenant.headers.basic, bucket.bucketUuid);

    // assess
    expectApillonError(response, {
      status: 400,
      code: 40006002,
      message: 'MAX_BUCKET_SIZE_REACHED',
      details: { limitBytes: 10, usedBytes: 0, requestedBytes: 11, availableBytes: 10, reason: '11 bytes more would pass the bucket’s size limit of 10 bytes (0 used, 10 left)' },
    });
  });

  it.each([
    ['malformed JSON', '{"fileName": "a.txt",', 'application/json', 400, 40000005],
    ['a JSON array', '[]', 'application/json', 422, 42200000],
    ['a form body', 'fileName=a.txt', 'application/x-www-form-urlencoded', 415, 41500001],
  ])('answers %s with a client error', async (_, body, contentType, status, code) => {
    // act
    const response = await call('uploadRequest', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      headers: { ...tenant.headers.basic, 'content-type': contentType },
      body,
    });

    // assess
    expect(response.statusCode).toBe(status);
    if (status === 422) expect(response.body.errors[0].code).toBe(code);
    else expect(response.body.code).toBe(code);
  });
});

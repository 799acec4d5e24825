/**
 * A bucket's upload policy on the Apillon surface (issue 21): set on create and by PATCH, checked at the upload
 * request on what the client declares (422 naming the file and the limit, nothing stored) and again when the bytes
 * arrive (object deleted, file 107 with the reason in its detail, nothing charged). Handlers and emulators.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestTenant, type TestTenant } from '../../support/services';
import { call, deliverEvents, objectKeyOf, putBytes, tableSnapshot } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

/** A bucket made over the create route with `policy`; its uuid. */
async function policyBucket(owner: TestTenant, policy: object): Promise<string> {
  const created = await call('bucketCreate', { headers: json(owner.headers.basic), body: { name: `policy-${randomUUID().slice(0, 8)}`, ...policy } });
  expectApillonSuccess(created, 201);
  return created.body.data.bucketUuid;
}

const request = (owner: TestTenant, bucketUuid: string, body: object) => call('uploadRequest', { params: { bucketUuid }, headers: json(owner.headers.basic), body });
const detail = (owner: TestTenant, bucketUuid: string, fileUuid: string) => call('fileDetail', { params: { bucketUuid, id: fileUuid }, headers: owner.headers.basic });

async function usage(owner: TestTenant, bucketUuid: string): Promise<{ account: number; bucket: number }> {
  const [account, bucket] = await Promise.all([services.accounts.getAccount(owner.accountId), services.buckets.get(bucketUuid)]);
  return { account: account!.usedBytes, bucket: bucket!.sizeBytes };
}

describe('an upload policy', () => {
  it('is set on create and shown with the bucket; PATCH changes one rule, null clears it', async () => {
    // prepare
    const bucketUuid = await policyBucket(tenant, { maxFileSize: 100, allowedContentTypes: ['image/*', 'Application/PDF'] });

    // act
    const shown = await call('bucketGet', { params: { bucketUuid }, headers: tenant.headers.basic });
    const patched = await call('bucketUpdate', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: { maxFileSize: 2048 } });
    const cleared = await call('bucketUpdate', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: { allowedContentTypes: null } });

    // assess
    expect(shown.body.data).toMatchObject({ maxFileSize: 100, allowedContentTypes: ['image/*', 'application/pdf'] });
    expectApillonSuccess(patched, 200);
    expect(patched.body.data).toMatchObject({ maxFileSize: 2048, allowedContentTypes: ['image/*', 'application/pdf'] });
    expect(cleared.body.data).toMatchObject({ maxFileSize: 2048, allowedContentTypes: null });
  });

  it('refuses bad rules with a 422 naming the property, and changes nothing', async () => {
    // prepare
    const bucketUuid = await policyBucket(tenant, {});
    const before = await tableSnapshot(services);

    // act
    const badType = await call('bucketUpdate', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: { allowedContentTypes: ['image'] } });
    const badSize = await call('bucketUpdate', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: { maxFileSize: -1 } });
    const empty = await call('bucketUpdate', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: {} });
    const badCreate = await call('bucketCreate', { headers: json(tenant.headers.basic), body: { name: 'bad-policy', maxFileSize: 1.5 } });

    // assess
    expect(badType.statusCode).toBe(422);
    expect(badType.body.errors[0]).toMatchObject({ code: 42200061, property: 'allowedContentTypes.0' });
    expect(badSize.body.errors[0]).toMatchObject({ code: 42200060, property: 'maxFileSize' });
    expect(empty.body.errors[0]).toMatchObject({ code: 42200062 });
    expect(badCreate.body.errors[0]).toMatchObject({ code: 42200060, property: 'maxFileSize' });
    expect(await tableSnapshot(services)).toEqual(before);
  });
});

describe('at the upload request (what the client declares)', () => {
  it('refuses a file over maxFileSize or of a type not allowed: 422 naming the file and the limit, nothing stored', async () => {
    // prepare
    const bucketUuid = await policyBucket(tenant, { maxFileSize: 100, allowedContentTypes: ['image/*'] });
    const before = await tableSnapshot(services);

    // act: the seed route, a session batch, a multipart create
    const tooBig = await request(tenant, bucketUuid, { fileName: 'big.png', contentType: 'image/png', fileSize: 101 });
    const wrongType = await call('sessionUpload', { params: { bucketUuid }, headers: json(tenant.headers.basic), body: { files: [{ fileName: 'ok.png', size: 10 }, { fileName: 'notes.txt', size: 10 }] } });
    const multipart = await call('multipartCreate', { params: { bucketUuid, sessionUuid: randomUUID() }, headers: json(tenant.headers.basic), body: { fileName: 'film.png', size: 6 * 1024 * 1024 } });

    // assess
    expect({ status: tooBig.statusCode, code: tooBig.body.code }).toEqual({ status: 422, code: 42206001 });
    expect(tooBig.body.message).toBe('FILE_TOO_LARGE: "big.png" is 101 bytes; this bucket takes files of at most 100 bytes');
    expect(tooBig.body.details).toMatchObject({ fileName: 'big.png', rule: 'maxFileSize', limitBytes: 100, maxFileSize: 100 });
    expect({ status: wrongType.statusCode, code: wrongType.body.code }).toEqual({ status: 422, code: 42206001 });
    expect(wrongType.body.message).toBe('CONTENT_TYPE_NOT_ALLOWED: "notes.txt" is text/plain; this bucket takes image/*');
    expect(multipart.statusCode).toBe(422);
    expect(multipart.body.message).toContain('at most 100 bytes');
    expect(await tableSnapshot(services)).toEqual(before);
  });
});

describe('when the bytes arrive (what S3 holds)', () => {
  it('refuses an undeclared size over the limit: object deleted, status 107 with the reason, nothing charged', async () => {
    // prepare: no size declared, so only the arrival can tell
    const owner = await createTestTenant(services);
    const bucketUuid = await policyBucket(owner, { maxFileSize: 100 });
    const requested = await request(owner, bucketUuid, { fileName: 'photo.png', contentType: 'image/png' });
    const { url, fileUuid } = requested.body.data;
    await putBytes(url, new Uint8Array(150));

    // act
    await deliverEvents(services, [objectKeyOf(url)]);

    // assess
    const file = (await detail(owner, bucketUuid, fileUuid)).body.data;
    expect(file.fileStatus).toBe(107);
    expect(file.file.rejectionReason).toBe('FILE_TOO_LARGE: "photo.png" is 150 bytes; this bucket takes files of at most 100 bytes');
    // The SDK's file route (getFile) says it too.
    const sdkFile = await call('bucketFileGet', { params: { bucketUuid, id: fileUuid }, headers: owner.headers.basic });
    expect(sdkFile.body.data).toMatchObject({ fileStatus: 107, rejectionReason: file.file.rejectionReason });
    expect(await services.blobs.head(objectKeyOf(url))).toBeUndefined();
    expect(await usage(owner, bucketUuid)).toEqual({ account: 0, bucket: 0 });
  });

  it('refuses a file whose type the bucket stopped taking after its request', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const bucketUuid = await policyBucket(owner, { allowedContentTypes: ['image/*'] });
    const { url, fileUuid } = (await request(owner, bucketUuid, { fileName: 'a.png', contentType: 'image/png', fileSize: 4 })).body.data;
    await call('bucketUpdate', { params: { bucketUuid }, headers: json(owner.headers.basic), body: { allowedContentTypes: ['application/pdf'] } });
    await putBytes(url, 'png!');

    // act
    await deliverEvents(services, [objectKeyOf(url)]);

    // assess
    const file = (await detail(owner, bucketUuid, fileUuid)).body.data;
    expect(file.fileStatus).toBe(107);
    expect(file.file.rejectionReason).toBe('CONTENT_TYPE_NOT_ALLOWED: "a.png" is image/png; this bucket takes application/pdf');
    expect(await usage(owner, bucketUuid)).toEqual({ account: 0, bucket: 0 });
  });

  it('takes what the policy allows to status 4', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const bucketUuid = await policyBucket(owner, { maxFileSize: 100, allowedContentTypes: ['image/*'] });
    const { url, fileUuid } = (await request(owner, bucketUuid, { fileName: 'ok.png', contentType: 'image/png' })).body.data;
    await putBytes(url, new Uint8Array(100));

    // act
    await deliverEvents(services, [objectKeyOf(url)]);

    // assess
    expect((await detail(owner, bucketUuid, fileUuid)).body.data.fileStatus).toBe(4);
    expect(await usage(owner, bucketUuid)).toEqual({ account: 100, bucket: 100 });
  });
});

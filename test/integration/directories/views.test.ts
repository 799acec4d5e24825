/**
 * A directory's CIDs in the Apillon views once it is addressed: `CID`/`CIDv1` (the CIDv1),
 * `CIDv0`, and `link` where the gateway serves it (public bucket), on both content routes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { settleDirectories } from '../../support/directories';
import { createTestBucket, createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, uploadFile } from '../apillon/helpers';

let services: Services;
let tenant: TestTenant;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services);
});

describe('a directory in the content listings', () => {
  it('shows no CID before its first recompute, then its CIDs and gateway link', async () => {
    // prepare
    const bucketUuid = tenant.bucket.bucketUuid;
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'a.txt', path: 'docs', bytes: 'directory views' });
    const before = await call('bucketContent', { params: { bucketUuid }, headers: tenant.headers.basic });
    const addresses = await settleDirectories(services, bucketUuid);
    const docs = addresses.get('docs')!;

    // act
    const sdk = await call('bucketContent', { params: { bucketUuid }, headers: tenant.headers.basic });
    const seed = await call('content', { params: { bucketUuid }, headers: tenant.headers.basic });

    // assess
    expect(before.body.data.items[0]).toMatchObject({ type: 1, name: 'docs', CID: null, CIDv1: null, CIDv0: null, link: null });
    const cids = { CID: docs.cidV1, CIDv1: docs.cidV1, CIDv0: docs.cidV0, link: `http://api.test.local/ipfs/${docs.cidV1}` };
    expect(sdk.body.data.items[0]).toMatchObject({ type: 1, name: 'docs', ...cids });
    expect(seed.body.data.items[0]).toMatchObject({ type: 'directory', name: 'docs', ...cids });
    expect(docs.cidV1).toMatch(/^bafybei/);
    expect(docs.cidV0).toMatch(/^Qm/);
  });

  it('has no link in a private bucket, and none in the answer of its deletion', async () => {
    // prepare
    const hidden = await createTestBucket(services, tenant.accountId, { public: false });
    await uploadFile(services, hidden.bucketUuid, tenant.headers.basic, { fileName: 'a.txt', path: 'secret', bytes: 'private' });
    const secret = (await settleDirectories(services, hidden.bucketUuid)).get('secret')!;
    const publicFolder = (await services.entries.getPathClaim(tenant.bucket.bucketUuid, 'docs'))!;

    // act
    const listed = await call('bucketContent', { params: { bucketUuid: hidden.bucketUuid }, headers: tenant.headers.basic });
    const deleted = await call('directoryDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, directoryUuid: publicFolder.entryUuid }, headers: tenant.headers.basic });

    // assess
    expect(listed.body.data.items[0]).toMatchObject({ name: 'secret', CID: secret.cidV1, link: null });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body.data).toMatchObject({ status: 8, link: null });
  });
});

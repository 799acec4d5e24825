/** The public gateway `GET /ipfs/:cid`, the link routes and `GET /storage/info`. */
import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { call, prngBytes, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const HELLO_V1 = 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq';
const HELLO_V0 = 'QmWfVY9y3xjsixTgbd9AorQxH7VtMpzfx2HaWtsoUYecaX';

const gateway = (cid: string) => call('ipfsGateway', { params: { cid } });

describe('GET /ipfs/:cid', () => {
  it('serves the bytes of a file in a public bucket without credentials, by CIDv1 or CIDv0', async () => {
    // prepare
    const owner = await createTestTenant(services);
    await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'hello.txt', bytes: 'hello', contentType: 'text/plain' });

    // act
    const [byV1, byV0] = await Promise.all([gateway(HELLO_V1), gateway(HELLO_V0)]);

    // assess
    for (const response of [byV1, byV0]) {
      expect(response.statusCode).toBe(200);
      expect(response.rawBody).toBe('hello');
      expect(response.headers['content-type']).toBe('text/plain');
      expect(response.headers['cache-control']).toContain('immutable');
    }
  });

  it('serves uploaded HTML sandboxed, so it cannot script the API origin', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const page = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, {
      fileName: 'page.html',
      bytes: '<script>fetch("/storage/buckets")</script>',
      contentType: 'text/html',
    });

    const { cidV1 } = (await services.entries.get(page.fileUuid))!;

    // act
    const response = await gateway(cidV1!);

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('does not serve a file of a private bucket, nor one marked for deletion', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const hidden = await createTestBucket(services, owner.accountId, { public: false });
    const bytes = prngBytes(333, 77);
    const { fileUuid } = await uploadFile(services, hidden.bucketUuid, owner.headers.basic, { fileName: 'p.bin', bytes });
    const other = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'q.bin', bytes: prngBytes(334, 78) });
    const cidOf = async (params: { bucketUuid: string; id: string }): Promise<string> =>
      (await call('fileDetail', { params, headers: owner.headers.basic })).body.data.file.CID;
    const privateCid = await cidOf({ bucketUuid: hidden.bucketUuid, id: fileUuid });
    const deletedCid = await cidOf({ bucketUuid: owner.bucket.bucketUuid, id: other.fileUuid });
    await call('fileDelete', { params: { bucketUuid: owner.bucket.bucketUuid, id: other.fileUuid }, headers: owner.headers.basic });

    // act
    const responses = await Promise.all([gateway(privateCid), gateway(deletedCid)]);

    // assess
    for (const response of responses) expectApillonError(response, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });

  it('serves a CID that a private and a public bucket both hold', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const hidden = await createTestBucket(services, owner.accountId, { public: false });
    const bytes = 'held by a private and a public bucket';
    await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'shared.bin', bytes });
    const { fileUuid } = await uploadFile(services, hidden.bucketUuid, owner.headers.basic, { fileName: 'shared.bin', bytes });
    const cid = (await call('fileDetail', { params: { bucketUuid: hidden.bucketUuid, id: fileUuid }, headers: owner.headers.basic })).body.data.file.CID;

    // act
    const response = await gateway(cid);

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.rawBody).toBe(bytes);
  });

  it('redirects to a presigned GET for files too large for a Lambda response', async () => {
    // prepare
    const bytes = prngBytes(4_500_000, 55);
    const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'large.bin', bytes });
    const cid = (await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.basic })).body.data.file.CID;

    // act
    const response = await gateway(cid);

    // assess
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location!);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60');
    const fetched = await fetch(location);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(['not-a-cid', 'Qm123', 'x'.repeat(300)])('answers 422 CID_NOT_VALID for %s', async (cid) => {
    // act
    const response = await gateway(cid);

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors[0]).toMatchObject({ code: 42200028, property: 'cid' });
  });

  it('answers 404 for a valid CID nobody stored (the empty file)', async () => {
    // act
    const response = await gateway('bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y');

    // assess
    expectApillonError(response, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });
});

describe('link routes', () => {
  it('GET /storage/link-on-ipfs/:cid answers the gateway link', async () => {
    // act
    const response = await call('linkOnIpfs', { params: { cid: HELLO_V1 }, query: { type: 'ipfs' }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toEqual({ link: `http://api.test.local/ipfs/${HELLO_V1}` });
  });

  it('POST /storage/link-on-ipfs-multiple answers the links in the same order, also for an EXECUTE-only key', async () => {
    // prepare
    const uploader = await createTestApiKey(services, tenant.accountId, [Permission.EXECUTE]);

    // act
    const response = await call('linksOnIpfs', { headers: { authorization: uploader.authorization }, body: { cids: [HELLO_V0, HELLO_V1] } });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data.links).toEqual([`http://api.test.local/ipfs/${HELLO_V0}`, `http://api.test.local/ipfs/${HELLO_V1}`]);
  });

  it.each([
    ['no cids', {}, 42200014],
    ['an empty list', { cids: [] }, 42200014],
    ['a bad cid', { cids: [HELLO_V1, 'nope'] }, 42200028],
    ['201 cids', { cids: Array.from({ length: 201 }, () => HELLO_V1) }, 42200016],
  ])('POST /storage/link-on-ipfs-multiple answers 422 for %s', async (_, body, code) => {
    // act
    const response = await call('linksOnIpfs', { headers: tenant.headers.basic, body });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors.map((error: { code: number }) => error.code)).toContain(code);
  });

  it('refuses links without a credential, of an unknown type, and a CID given as an IPNS name', async () => {
    // act
    const [anonymous, unknownType, cidAsName] = await Promise.all([
      call('linkOnIpfs', { params: { cid: HELLO_V1 } }),
      call('linkOnIpfs', { params: { cid: HELLO_V1 }, query: { type: 'ipxs' }, headers: tenant.headers.basic }),
      call('linkOnIpfs', { params: { cid: HELLO_V1 }, query: { type: 'ipns' }, headers: tenant.headers.basic }),
    ]);

    // assess
    expectApillonError(anonymous, { status: 400, code: 40000003, message: 'Missing Authorization header' });
    expect(unknownType.body.errors[0].code).toBe(42200029);
    expect(cidAsName.body.errors[0].code).toBe(42200028);
  });
});

describe('GET /storage/info', () => {
  it('answers the account’s available and used bytes', async () => {
    // prepare
    const owner = await createTestTenant(services, { quotaBytes: 1000 });
    await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'a', bytes: 'x'.repeat(100) });

    // act
    const response = await call('info', { headers: owner.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toMatchObject({ availableStorage: 900, usedStorage: 100, totalStorage: 1000, usedBandwidth: 0 });
  });

  it('needs KEY_READ', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.EXECUTE]);

    // act
    const response = await call('info', { headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_READ permission' });
  });
});

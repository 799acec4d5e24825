/** IPNS names per bucket (the SDK's routes), `link-on-ipfs?type=ipns` and the `/ipns/<name>` gateway. */
import { multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns';
import { ipnsValidator } from 'ipns/validator';
import { base36 } from 'multiformats/bases/base36';
import { CID } from 'multiformats/cid';
import type { MultihashDigest } from 'multiformats/hashes/interface';
import { beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, uploadFile } from './helpers';

let services: Services;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
});

const HELLO_V1 = 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq';
const OTHER_V1 = 'bafybeialmaci6rn6gjklpa35b7ta6cl5wgalhi2yi5kwl7rxoonawkbvj4';

async function createName(owner: TestTenant, body: Record<string, unknown>) {
  const response = await call('ipnsCreate', { params: { bucketUuid: owner.bucket.bucketUuid }, headers: owner.headers.basic, body });
  expectApillonSuccess(response, 201);
  return response.body.data;
}

const recordOf = async (name: string) => {
  const response = await call('ipnsGateway', { params: { name }, query: { format: 'ipns-record' } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/vnd.ipfs.ipns-record');
  return response.bodyBytes;
};

/** The `ipns` library's own validation of a record against the name's routing key (signatures V1+V2, validity). */
async function validatedRecord(ipnsName: string, bytes: Uint8Array) {
  const routingKey = multihashToIPNSRoutingKey(CID.parse(ipnsName, base36).multihash as MultihashDigest<0x00>);
  await ipnsValidator(routingKey, bytes);
  return unmarshalIPNSRecord(bytes);
}

describe('POST /storage/buckets/:bucketUuid/ipns', () => {
  it('makes an ed25519 name (k51…), unpublished until a CID is given, and never shows its key', async () => {
    // prepare
    const owner = await createTestTenant(services);

    // act
    const data = await createName(owner, { name: 'site', description: 'my site' });

    // assess
    expect(data).toMatchObject({ name: 'site', description: 'my site', ipnsValue: null, link: null, bucketUuid: owner.bucket.bucketUuid });
    expect(data.ipnsName).toMatch(/^k51qzi5uqu5[a-z0-9]+$/);
    expect(JSON.stringify(data)).not.toMatch(/seal|key|private/i);
    const stored = (await services.ipns.get(data.ipnsUuid))!;
    expect(stored.sealedKey).toMatch(/^v1\./);
  });

  it('publishes at once when a cid is given: a record the ipns library validates, naming /ipfs/<cid>, sequence 0', async () => {
    // prepare
    const owner = await createTestTenant(services);

    // act
    const data = await createName(owner, { name: 'now', cid: HELLO_V1 });
    const record = await validatedRecord(data.ipnsName, await recordOf(data.ipnsName));

    // assess
    expect(data.ipnsValue).toBe(`/ipfs/${HELLO_V1}`);
    expect(data.link).toBe(`http://api.test.local/ipns/${data.ipnsName}`);
    expect(record.value).toBe(`/ipfs/${HELLO_V1}`);
    expect(record.sequence).toBe(0n);
    expect('signatureV1' in record && record.signatureV1.length).toBe(64);
    expect(record.signatureV2.length).toBe(64);
    expect(new Date(record.validity).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
  });

  it('answers 422 for a missing name or a bad cid, and stores nothing', async () => {
    // prepare
    const owner = await createTestTenant(services);

    // act
    const [noName, badCid] = await Promise.all([
      call('ipnsCreate', { params: { bucketUuid: owner.bucket.bucketUuid }, headers: owner.headers.basic, body: { description: 'x' } }),
      call('ipnsCreate', { params: { bucketUuid: owner.bucket.bucketUuid }, headers: owner.headers.basic, body: { name: 'n', cid: 'not-a-cid' } }),
    ]);

    // assess
    expect(noName.statusCode).toBe(422);
    expect(noName.body.errors[0]).toMatchObject({ code: 42200035, property: 'name' });
    expect(badCid.statusCode).toBe(422);
    expect(badCid.body.errors[0]).toMatchObject({ code: 42200028, property: 'cid' });
    expect(await services.ipns.listByBucket(owner.bucket.bucketUuid)).toEqual([]);
  });
});

describe('POST …/ipns/:ipnsUuid/publish', () => {
  it('signs a new record with the next sequence number each time', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const created = await createName(owner, { name: 'moving', cid: HELLO_V1 });

    // act
    const published = await call('ipnsPublish', {
      params: { bucketUuid: owner.bucket.bucketUuid, ipnsUuid: created.ipnsUuid },
      headers: owner.headers.basic,
      body: { cid: OTHER_V1 },
    });
    const record = await validatedRecord(created.ipnsName, await recordOf(created.ipnsName));

    // assess
    expectApillonSuccess(published);
    expect(published.body.data.ipnsValue).toBe(`/ipfs/${OTHER_V1}`);
    expect(record.value).toBe(`/ipfs/${OTHER_V1}`);
    expect(record.sequence).toBe(1n);
  });

  it('gives concurrent publishes distinct sequence numbers', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const created = await createName(owner, { name: 'busy' });

    // act
    const results = await Promise.all(
      [HELLO_V1, OTHER_V1, HELLO_V1].map((cid) =>
        call('ipnsPublish', { params: { bucketUuid: owner.bucket.bucketUuid, ipnsUuid: created.ipnsUuid }, headers: owner.headers.basic, body: { cid } }),
      ),
    );

    // assess
    for (const result of results) expectApillonSuccess(result);
    expect((await services.ipns.get(created.ipnsUuid))!.sequence).toBe(2);
  });

  it('is 404 IPNS_RECORD_NOT_FOUND for a name of another bucket, 403 for another account', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const stranger = await createTestTenant(services);
    const created = await createName(owner, { name: 'mine' });

    // act
    const otherBucket = await call('ipnsPublish', {
      params: { bucketUuid: stranger.bucket.bucketUuid, ipnsUuid: created.ipnsUuid },
      headers: stranger.headers.basic,
      body: { cid: HELLO_V1 },
    });
    const otherAccount = await call('ipnsPublish', {
      params: { bucketUuid: owner.bucket.bucketUuid, ipnsUuid: created.ipnsUuid },
      headers: stranger.headers.basic,
      body: { cid: HELLO_V1 },
    });

    // assess
    expectApillonError(otherBucket, { status: 404, code: 40406012, message: 'IPNS_RECORD_NOT_FOUND' });
    expectApillonError(otherAccount, { status: 403, code: 40300001, message: 'Insufficient permissions to access this record' });
    expect((await services.ipns.get(created.ipnsUuid))!.sequence).toBe(-1);
  });
});

describe('GET|DELETE …/ipns[/:ipnsUuid]', () => {
  it('lists, filters, gets and deletes names; a deleted name resolves no more', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const first = await createName(owner, { name: 'first', cid: HELLO_V1 });
    const second = await createName(owner, { name: 'second' });
    const bucketUuid = owner.bucket.bucketUuid;

    // act
    const all = await call('ipnsList', { params: { bucketUuid }, headers: owner.headers.basic });
    const byValue = await call('ipnsList', { params: { bucketUuid }, headers: owner.headers.basic, query: { ipnsValue: HELLO_V1 } });
    const one = await call('ipnsGet', { params: { bucketUuid, ipnsUuid: second.ipnsUuid }, headers: owner.headers.basic });
    const deleted = await call('ipnsDelete', { params: { bucketUuid, ipnsUuid: first.ipnsUuid }, headers: owner.headers.basic });
    const afterDelete = await call('ipnsGet', { params: { bucketUuid, ipnsUuid: first.ipnsUuid }, headers: owner.headers.basic });
    const resolved = await call('ipnsGateway', { params: { name: first.ipnsName }, query: { format: 'ipns-record' } });

    // assess
    expect(all.body.data.total).toBe(2);
    expect(all.body.data.items.map((item: { ipnsUuid: string }) => item.ipnsUuid).sort()).toEqual([first.ipnsUuid, second.ipnsUuid].sort());
    expect(byValue.body.data.items.map((item: { name: string }) => item.name)).toEqual(['first']);
    expect(one.body.data).toMatchObject({ ipnsUuid: second.ipnsUuid, name: 'second', ipnsName: second.ipnsName });
    expectApillonSuccess(deleted);
    expectApillonError(afterDelete, { status: 404, code: 40406012, message: 'IPNS_RECORD_NOT_FOUND' });
    expectApillonError(resolved, { status: 404, code: 40406012, message: 'IPNS_RECORD_NOT_FOUND' });
  });
});

describe('GET /ipns/:name', () => {
  it('serves the content of the CID the name points at, through the /ipfs gateway path', async () => {
    // prepare
    const owner = await createTestTenant(services, { publicBucket: true });
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'page.txt', bytes: 'ipns content', contentType: 'text/plain' });
    const { cidV1 } = (await services.entries.get(uploaded.fileUuid))!;
    const created = await createName(owner, { name: 'page', cid: cidV1 });

    // act
    const response = await call('ipnsGateway', { params: { name: created.ipnsName } });
    const byAccept = await call('ipnsGateway', { params: { name: created.ipnsName }, headers: { accept: 'application/vnd.ipfs.ipns-record' } });

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.rawBody).toBe('ipns content');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(byAccept.headers['content-type']).toBe('application/vnd.ipfs.ipns-record');
  });

  it('is 404 for an unknown or unpublished name and for text that is no IPNS name', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const unpublished = await createName(owner, { name: 'quiet' });

    // act
    const results = await Promise.all([unpublished.ipnsName, HELLO_V1, 'nonsense'].map((name) => call('ipnsGateway', { params: { name } })));

    // assess
    for (const result of results) expectApillonError(result, { status: 404, code: 40406012, message: 'IPNS_RECORD_NOT_FOUND' });
  });
});

describe('GET /storage/link-on-ipfs/:cid?type=ipns', () => {
  it('links an IPNS name to /ipns/<name>, and refuses a CID given as a name', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const created = await createName(owner, { name: 'linked' });

    // act
    const link = await call('linkOnIpfs', { params: { cid: created.ipnsName }, query: { type: 'ipns' }, headers: owner.headers.basic });
    const notAName = await call('linkOnIpfs', { params: { cid: HELLO_V1 }, query: { type: 'ipns' }, headers: owner.headers.basic });

    // assess
    expectApillonSuccess(link);
    expect(link.body.data.link).toBe(`http://api.test.local/ipns/${created.ipnsName}`);
    expect(notAName.statusCode).toBe(422);
  });
});

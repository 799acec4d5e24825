/**
 * The input rules on the routes of issue 10: the Apillon IPNS and link routes refuse query
 * parameters they do not take (422 PARAMETER_NOT_SUPPORTED), the public gateways ignore them.
 */
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';
import { call, uploadFile } from './helpers';

const it = tenantTest({ publicBucket: true });

let services: Services;
let tenant: TestTenant;
let cid: string;
let ipnsName: string;

it.beforeAll(async ({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
  const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'a.txt', bytes: 'rules', contentType: 'text/plain' });
  cid = (await services.entries.get(fileUuid))!.cidV1!;
  const created = await call('ipnsCreate', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, body: { name: 'rules', cid } });
  expectApillonSuccess(created, 201);
  ipnsName = created.body.data.ipnsName as string;
});

describe('Apillon IPNS and link routes', () => {
  it.each([
    ['orderBy', 'name'],
    ['desc', 'true'],
    ['nextToken', 'abc'],
    ['bucketUuid', 'x'],
  ])('the IPNS list refuses %s (422 PARAMETER_NOT_SUPPORTED naming it)', async (name, value) => {
    // act
    const response = await call('ipnsList', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, query: { [name]: value } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200032, property: name, message: 'PARAMETER_NOT_SUPPORTED' }]);
  });

  it('the IPNS list takes page, limit, search, ipnsName and ipnsValue', async () => {
    // act
    const response = await call('ipnsList', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      query: { page: '1', limit: '5', search: 'rul', ipnsName, ipnsValue: cid },
    });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data.items.map((item: { ipnsName: string }) => item.ipnsName)).toEqual([ipnsName]);
  });

  it('link-on-ipfs refuses a parameter other than type', async () => {
    // act
    const response = await call('linkOnIpfs', { params: { cid }, headers: tenant.headers.basic, query: { type: 'ipfs', format: 'car' } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200032, property: 'format', message: 'PARAMETER_NOT_SUPPORTED' }]);
  });

  it('a route without a query (get, cluster info) refuses any parameter', async () => {
    // act
    const [one, cluster] = await Promise.all([
      call('ipnsGet', { params: { bucketUuid: tenant.bucket.bucketUuid, ipnsUuid: '00000000-0000-4000-8000-000000000000' }, headers: tenant.headers.basic, query: { x: '1' } }),
      call('ipfsClusterInfo', { headers: tenant.headers.basic, query: { x: '1' } }),
    ]);

    // assess
    for (const response of [one, cluster]) {
      expect(response.statusCode).toBe(422);
      expect(response.body.errors).toEqual([{ code: 42200032, property: 'x', message: 'PARAMETER_NOT_SUPPORTED' }]);
    }
  });
});

describe('the public gateways', () => {
  it('ignore query parameters they do not know', async () => {
    // act
    const [ipfs, ipns] = await Promise.all([
      call('ipfsGateway', { params: { cid }, query: { filename: 'x.txt', utm: '1' } }),
      call('ipnsGateway', { params: { name: ipnsName }, query: { filename: 'x.txt', utm: '1' } }),
    ]);

    // assess
    expect([ipfs.statusCode, ipns.statusCode]).toEqual([200, 200]);
    expect([ipfs.rawBody, ipns.rawBody]).toEqual(['rules', 'rules']);
  });

  it('refuse a format they cannot give (422 FORMAT_NOT_VALID)', async () => {
    // act
    const [ipfs, ipns] = await Promise.all([
      call('ipfsGateway', { params: { cid }, query: { format: 'tar' } }),
      call('ipnsGateway', { params: { name: ipnsName }, query: { format: 'tar' } }),
    ]);

    // assess
    for (const response of [ipfs, ipns]) {
      expect(response.statusCode).toBe(422);
      expect(response.body.errors).toEqual([{ code: 42200040, property: 'format', message: 'FORMAT_NOT_VALID' }]);
    }
  });
});

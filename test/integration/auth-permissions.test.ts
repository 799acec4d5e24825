import { beforeAll, describe, expect } from 'vitest';
import { Permission } from '../../lib/core/access/principal';
import type { Services } from '../../lib/app/services';
import { invoke } from '../support/events';
import { expectApillonError, expectApillonSuccess, expectQuantumError, expectQuantumSuccess } from '../support/envelopes';
import { probeRoutes } from '../support/probes';
import { tenantTest } from '../support/fixtures';
import { createTestApiKey, createTestApplicationToken, createTestBucket, createTestTenant, type TestTenant } from '../support/services';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;
let stranger: TestTenant;
let apillon: ReturnType<typeof probeRoutes>;
let quantum: ReturnType<typeof probeRoutes>;

it.beforeAll(async ({ services: s }) => {
  services = s;
  [tenant, stranger] = await Promise.all([createTestTenant(services), createTestTenant(services)]);
  apillon = probeRoutes('apillon', services);
  quantum = probeRoutes('quantum', services);
});

const bucketEvent = (bucketUuid: string, headers: Record<string, string>) => ({
  method: 'GET',
  rawPath: `/probe/${bucketUuid}`,
  pathParameters: { bucketUuid },
  headers,
});

describe('API key permissions (not hierarchical)', () => {
  it('refuses a key without READ where READ is required, naming the permission', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.EXECUTE, Permission.WRITE]);

    // act
    const response = await invoke(apillon.read, { rawPath: '/probe', headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, {
      status: 403,
      code: 40300000,
      message: 'Insufficient permissions - missing KEY_READ permission',
      path: '/probe',
    });
  });

  it('does not let WRITE imply READ', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.WRITE]);

    // act
    const response = await invoke(apillon.read, { rawPath: '/probe', headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_READ permission' });
  });

  it('names KEY_WRITE when a READ-only key writes', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.READ]);

    // act
    const response = await invoke(apillon.write, { rawPath: '/probe', headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_WRITE permission' });
  });

  it('lets a key with READ read', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.READ]);

    // act
    const response = await invoke(apillon.read, { rawPath: '/probe', headers: { authorization: key.authorization } });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toEqual({ read: true });
  });

  it('lets the master key and an application token do everything in scope', async () => {
    // act
    const responses = await Promise.all([
      invoke(apillon.read, { rawPath: '/probe', headers: tenant.headers.master }),
      invoke(apillon.write, { rawPath: '/probe', headers: tenant.headers.master }),
      invoke(apillon.read, { rawPath: '/probe', headers: tenant.headers.application }),
      invoke(apillon.write, { rawPath: '/probe', headers: tenant.headers.application }),
    ]);

    // assess
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
  });

  it('renders a missing permission as 403 UNAUTHORIZED on the Quantum surface', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.WRITE]);

    // act
    const response = await invoke(quantum.read, { rawPath: '/probe', headers: { authorization: key.authorization } });

    // assess
    expectQuantumError(response, { status: 403, message: 'UNAUTHORIZED' });
  });
});

describe('bucket access', () => {
  it.each([
    ['master key', (t: TestTenant) => t.headers.master],
    ['API key', (t: TestTenant) => t.headers.basic],
  ])('lets a %s reach its own account’s bucket', async (_, headers) => {
    // act
    const response = await invoke(apillon.bucket, bucketEvent(tenant.bucket.bucketUuid, headers(tenant)));

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toEqual({ bucketUuid: tenant.bucket.bucketUuid });
  });

  it.each([
    ['master key', (t: TestTenant) => t.headers.master],
    ['API key', (t: TestTenant) => t.headers.basic],
    ['application token', (t: TestTenant) => t.headers.application],
  ])('refuses a %s on a bucket of another account (Apillon 403)', async (_, headers) => {
    // act
    const response = await invoke(apillon.bucket, bucketEvent(stranger.bucket.bucketUuid, headers(tenant)));

    // assess
    expectApillonError(response, {
      status: 403,
      code: 40300001,
      message: 'Insufficient permissions to access this record',
      path: `/probe/${stranger.bucket.bucketUuid}`,
    });
  });

  it('refuses a bucket of another account with 403 UNAUTHORIZED on the Quantum surface', async () => {
    // act
    const response = await invoke(quantum.bucket, bucketEvent(stranger.bucket.bucketUuid, tenant.headers.master));

    // assess
    expectQuantumError(response, { status: 403, message: 'UNAUTHORIZED' });
  });

  describe('application tokens are bound to one bucket', () => {
    let otherBucketUuid: string;

    beforeAll(async () => {
      otherBucketUuid = (await createTestBucket(services, tenant.accountId)).bucketUuid;
    });

    it('lets a token reach its own bucket', async () => {
      // act
      const response = await invoke(quantum.bucket, bucketEvent(tenant.bucket.bucketUuid, tenant.headers.application));

      // assess
      expectQuantumSuccess(response);
      expect(response.body.data).toEqual({ bucketUuid: tenant.bucket.bucketUuid });
    });

    it('refuses a token of bucket A on bucket B of the same account: Quantum 400 INVALID_BUCKET', async () => {
      // act
      const response = await invoke(quantum.bucket, bucketEvent(otherBucketUuid, tenant.headers.application));

      // assess
      expectQuantumError(response, { status: 400, message: 'INVALID_BUCKET' });
    });

    it('refuses a token of bucket A on bucket B of the same account: Apillon 403', async () => {
      // act
      const response = await invoke(apillon.bucket, bucketEvent(otherBucketUuid, tenant.headers.application));

      // assess
      expectApillonError(response, { status: 403, code: 40300003, message: 'Insufficient permissions to access this record' });
    });

    it('still lets the master key reach every bucket of the account', async () => {
      // prepare
      const token = await createTestApplicationToken(services, tenant.accountId, otherBucketUuid);

      // act
      const [master, ownToken] = await Promise.all([
        invoke(quantum.bucket, bucketEvent(otherBucketUuid, tenant.headers.master)),
        invoke(quantum.bucket, bucketEvent(otherBucketUuid, { 'x-api-akey': token })),
      ]);

      // assess
      expect([master.statusCode, ownToken.statusCode]).toEqual([200, 200]);
    });
  });
});

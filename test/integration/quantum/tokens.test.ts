import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { expectQuantumError, expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestApplicationToken, createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, quantum, routeEvent } from './support';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const createToken = (bucket: string, headers = tenant.headers.master) =>
  invoke(quantum.tokenCreate, routeEvent({ method: 'POST', route: '/token/create/{bucket}', params: { bucket }, headers }));
const removeToken = (token: string, headers = tenant.headers.master) =>
  invoke(quantum.tokenRemove, routeEvent({ method: 'POST', route: '/token/remove/{token}', params: { token }, headers }));
const removeBucketTokens = (bucket: string, headers = tenant.headers.master) =>
  invoke(quantum.tokenRemoveBucket, routeEvent({ method: 'POST', route: '/token/remove/b/{bucket}', params: { bucket }, headers }));
const quota = (token: string) => invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers: { 'x-api-akey': token } }));

describe('POST /token/create/<bucket>', () => {
  it('gives a token that works as X-API-AKEY in its bucket, and only there', async () => {
    // prepare
    const other = await createTestBucket(services, tenant.accountId);

    // act
    const response = await createToken(tenant.bucket.name);

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data).toEqual({ token: expect.stringMatching(/^at_[\w-]{43}$/) });
    const headers = { 'x-api-akey': response.body.data.token };
    expectQuantumSuccess(await addFiles(headers, tenant.bucket.name, 'from-token', [{ name: 'a.txt', content: 'a' }]));
    expectQuantumError(await addFiles(headers, other.name, 'x', [{ name: 'a.txt', content: 'a' }]), { status: 400, message: 'INVALID_BUCKET' });
    expectQuantumError(await addFiles(headers, 'no-such-bucket', 'x', [{ name: 'a.txt', content: 'a' }]), { status: 400, message: 'INVALID_BUCKET' });
  });

  it('answers 404 BUCKET_DNE for an unknown bucket', async () => {
    // act
    const response = await createToken('no-such-bucket');

    // assess
    expectQuantumError(response, { status: 404, message: 'BUCKET_DNE' });
  });

  it('needs the master key', async () => {
    // act
    const [token, apiKey] = await Promise.all([
      createToken(tenant.bucket.name, tenant.headers.application),
      createToken(tenant.bucket.name, tenant.headers.basic),
    ]);

    // assess
    expectQuantumError(token, { status: 403, message: 'UNAUTHORIZED' });
    expectQuantumError(apiKey, { status: 403, message: 'UNAUTHORIZED' });
  });
});

describe('POST /token/remove/<token>', () => {
  it('revokes the token', async () => {
    // prepare
    const token = (await createToken(tenant.bucket.name)).body.data.token as string;
    expectQuantumSuccess(await quota(token));

    // act
    const response = await removeToken(token);

    // assess
    expectQuantumSuccess(response);
    expectQuantumError(await quota(token), { status: 401, message: 'UNAUTHORIZED' });
  });

  it.each([
    ['an unknown token', 'at_unknown-token-value'],
    ['a master key', 'mk_not-an-application-token'],
    ['an over-long value', `at_${'x'.repeat(2000)}`],
  ])('answers 404 TOKEN_DNE for %s', async (_, value) => {
    // act
    const response = await removeToken(value);

    // assess
    expectQuantumError(response, { status: 404, message: 'TOKEN_DNE' });
  });

  it('does not reveal or revoke a token of another account', async () => {
    // prepare
    const other = await createTestTenant(services);

    // act
    const response = await removeToken(other.applicationToken);

    // assess
    expectQuantumError(response, { status: 404, message: 'TOKEN_DNE' });
    expectQuantumSuccess(await quota(other.applicationToken));
  });

  it('does not let the master key of the account be removed as a token', async () => {
    // act
    const response = await removeToken(tenant.masterKey);

    // assess
    expectQuantumError(response, { status: 404, message: 'TOKEN_DNE' });
  });
});

describe('POST /token/remove/b/<bucket>', () => {
  it('revokes every token of the bucket and no other', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const tokens = await Promise.all([1, 2, 3].map(() => createTestApplicationToken(services, tenant.accountId, bucket.bucketUuid)));

    // act
    const response = await removeBucketTokens(bucket.name);

    // assess
    expectQuantumSuccess(response);
    expect(response.body.message).toBe('3 tokens removed');
    for (const token of tokens) expectQuantumError(await quota(token), { status: 401, message: 'UNAUTHORIZED' });
    expectQuantumSuccess(await quota(tenant.applicationToken));
  });

  it('answers 404 TOKEN_DNE when the bucket has no tokens, 404 BUCKET_DNE when there is no bucket', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const [none, missing] = await Promise.all([removeBucketTokens(bucket.name), removeBucketTokens('no-such-bucket')]);

    // assess
    expectQuantumError(none, { status: 404, message: 'TOKEN_DNE' });
    expectQuantumError(missing, { status: 404, message: 'BUCKET_DNE' });
  });
});

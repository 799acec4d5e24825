/**
 * Bucket webhook routes (issue 22), handlers invoked with API Gateway v2 events on the emulators: the contract
 * (secret on create only, Basic/Bearer parameters), errors in the Apillon shape, and the SSRF guard as a
 * deployed stage has it (no loopback).
 */
import { describe, expect } from 'vitest';
import { handler as webhookDelete } from '../../../functions/apillon/webhook-delete/handler';
import { handler as webhookDeliveries } from '../../../functions/apillon/webhook-deliveries/handler';
import { handler as webhookGet } from '../../../functions/apillon/webhook-get/handler';
import { handler as webhookPut } from '../../../functions/apillon/webhook-put/handler';
import { Permission } from '../../../lib/core/access/principal';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { invoke, type EventHandler } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import type { Services } from '../../../lib/app/services';

const it = tenantTest();
let services: Services;
let tenant: TestTenant;
it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

/** A public address as an IP literal: set without any DNS (no call is made by setting it). */
const PUBLIC_URL = 'https://93.184.215.14/hooks/storage';

const route = (handler: EventHandler, method: string, path: string) => (bucketUuid: string, init: { headers?: Record<string, string>; body?: unknown } = {}) =>
  invoke(handler, {
    method,
    path: `/storage/buckets/{bucketUuid}/${path}`,
    rawPath: `/storage/buckets/${bucketUuid}/${path}`,
    pathParameters: { bucketUuid },
    headers: { ...(init.headers ?? tenant.headers.basic), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
const put = route(webhookPut, 'PUT', 'webhook');
const get = route(webhookGet, 'GET', 'webhook');
const remove = route(webhookDelete, 'DELETE', 'webhook');
const deliveries = route(webhookDeliveries, 'GET', 'webhook/deliveries');

describe('PUT|GET|DELETE /storage/buckets/:bucketUuid/webhook', () => {
  it('shows the whsec_ secret on create only, keeps it on replace, hides param2, and removes the webhook', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const created = await put(bucket.bucketUuid, { body: { url: PUBLIC_URL, authType: 'basic', param1: 'apillon', param2: 's3cret' } });
    const read = await get(bucket.bucketUuid);
    const replaced = await put(bucket.bucketUuid, { body: { url: `${PUBLIC_URL}/v2`, authType: 'bearer', param1: 'token-1' } });
    const readAgain = await get(bucket.bucketUuid);
    const stored = await services.webhooks.get(bucket.bucketUuid);
    const log = await deliveries(bucket.bucketUuid);
    const removed = await remove(bucket.bucketUuid);
    const gone = await get(bucket.bucketUuid);

    // assess
    expectApillonSuccess(created, 201);
    expect(created.body.data).toMatchObject({ bucketUuid: bucket.bucketUuid, url: PUBLIC_URL, authType: 'basic', param1: 'apillon' });
    expect(created.body.data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body.data).not.toHaveProperty('param2');
    expectApillonSuccess(read, 200);
    expect(read.body.data).not.toHaveProperty('secret');
    expect(read.rawBody).not.toContain('s3cret');
    expectApillonSuccess(replaced, 200);
    expect(replaced.body.data).not.toHaveProperty('secret');
    expect(readAgain.body.data).toMatchObject({ url: `${PUBLIC_URL}/v2`, authType: 'bearer', param1: null });
    expect(stored).toMatchObject({ secret: created.body.data.secret, authType: 'bearer', param1: 'token-1' });
    expect(stored).not.toHaveProperty('param2');
    expectApillonSuccess(log, 200);
    expect(log.body.data).toEqual({ items: [], total: 0 });
    expectApillonSuccess(removed, 200);
    expectApillonError(gone, { status: 404, code: 40406050, message: 'WEBHOOK_NOT_FOUND' });
    expectApillonError(await remove(bucket.bucketUuid), { status: 404, code: 40406050, message: 'WEBHOOK_NOT_FOUND' });
  });

  it.each([
    ['http://127.0.0.1:8080/hook', 40006051, 'WEBHOOK_URL_RESOLVES_TO_LOOPBACK_ADDRESS'],
    ['http://localhost/hook', 40006051, 'WEBHOOK_URL_RESOLVES_TO_LOOPBACK_ADDRESS'],
    ['http://[::1]/hook', 40006051, 'WEBHOOK_URL_RESOLVES_TO_LOOPBACK_ADDRESS'],
    ['https://10.0.0.7/hook', 40006052, 'WEBHOOK_URL_RESOLVES_TO_PRIVATE_ADDRESS'],
    ['https://192.168.1.1/hook', 40006052, 'WEBHOOK_URL_RESOLVES_TO_PRIVATE_ADDRESS'],
    ['http://[::ffff:172.16.0.1]/hook', 40006052, 'WEBHOOK_URL_RESOLVES_TO_PRIVATE_ADDRESS'],
    ['http://169.254.10.10/hook', 40006053, 'WEBHOOK_URL_RESOLVES_TO_LINK_LOCAL_ADDRESS'],
    ['http://169.254.169.254/latest/meta-data/', 40006054, 'WEBHOOK_URL_RESOLVES_TO_METADATA_ADDRESS'],
    ['http://[fd00:ec2::254]/', 40006054, 'WEBHOOK_URL_RESOLVES_TO_METADATA_ADDRESS'],
    ['http://0.0.0.0/hook', 40006055, 'WEBHOOK_URL_RESOLVES_TO_RESERVED_ADDRESS'],
    ['https://no-such-host.invalid/hook', 40006050, 'WEBHOOK_URL_HOST_NOT_RESOLVED'],
  ])('refuses %s with a 400 naming the reason, and stores nothing', async (url, code, message) => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const response = await put(bucket.bucketUuid, { body: { url } });

    // assess
    expectApillonError(response, { status: 400, code, message });
    expect(await services.webhooks.get(bucket.bucketUuid)).toBeUndefined();
  });

  it.each([
    [{}, 'url', 42200070, 'WEBHOOK_URL_NOT_PRESENT'],
    [{ url: 'ftp://93.184.215.14/x' }, 'url', 42200071, 'WEBHOOK_URL_NOT_VALID'],
    [{ url: 'https://user:pw@93.184.215.14/x' }, 'url', 42200071, 'WEBHOOK_URL_NOT_VALID'],
    [{ url: 'not a url' }, 'url', 42200071, 'WEBHOOK_URL_NOT_VALID'],
    [{ url: PUBLIC_URL, authType: 'digest' }, 'authType', 42200072, 'WEBHOOK_AUTH_TYPE_NOT_VALID'],
    [{ url: PUBLIC_URL, authType: 'basic', param1: 'a:b', param2: 'x' }, 'param1', 42200073, 'WEBHOOK_PARAM1_NOT_VALID'],
    [{ url: PUBLIC_URL, authType: 'basic', param1: 'user' }, 'param2', 42200074, 'WEBHOOK_PARAM2_NOT_VALID'],
    [{ url: PUBLIC_URL, authType: 'bearer' }, 'param1', 42200073, 'WEBHOOK_PARAM1_NOT_VALID'],
    [{ url: PUBLIC_URL, param1: 'orphan' }, 'param1', 42200073, 'WEBHOOK_PARAM1_NOT_VALID'],
    [{ url: PUBLIC_URL, authType: 'bearer', param1: 'line\nbreak' }, 'param1', 42200073, 'WEBHOOK_PARAM1_NOT_VALID'],
  ])('answers 422 for %j (%s)', async (body, property, code, message) => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const response = await put(bucket.bucketUuid, { body });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toContainEqual({ code, property, message });
    expect(await services.webhooks.get(bucket.bucketUuid)).toBeUndefined();
  });

  it('needs WRITE to set it and READ to read it; another account’s bucket is refused; an unknown bucket is 404', async () => {
    // prepare
    const readOnly = await createTestTenant(services, { permissions: [Permission.READ] });
    const other = await createTestTenant(services);

    // act
    const withoutWrite = await put(readOnly.bucket.bucketUuid, { headers: readOnly.headers.basic, body: { url: PUBLIC_URL } });
    const foreign = await put(other.bucket.bucketUuid, { body: { url: PUBLIC_URL } });
    const unknown = await get('00000000-0000-4000-8000-000000000000');

    // assess
    expectApillonError(withoutWrite, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_WRITE permission' });
    expect(foreign.statusCode).toBe(403);
    expectApillonError(unknown, { status: 404, code: 40406002, message: 'BUCKET_NOT_FOUND' });
  });
});

/** `GET|POST /storage/buckets`, `GET /storage/buckets/:bucketUuid`. */
import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestAccount, createTestApiKey, createTestTenant, type TestTenant } from '../../support/services';
import { call, tableSnapshot } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

describe('POST /storage/buckets', () => {
  it('creates a public bucket with the fields the SDK reads', async () => {
    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 'My bucket', description: 'demo' } });

    // assess
    expectApillonSuccess(response, 201);
    expect(response.body.data).toEqual({
      bucketUuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'My bucket',
      description: 'demo',
      bucketType: 1,
      size: 0,
      maxSize: services.config.DEFAULT_BUCKET_MAX_BYTES,
      public: true,
      // The upload policy (lib/core/upload/policy.ts): none unless set.
      maxFileSize: null,
      allowedContentTypes: null,
      markedForDeletion: false,
      createTime: expect.any(String),
      updateTime: expect.any(String),
    });
    expect((await services.buckets.get(response.body.data.bucketUuid))?.public).toBe(true);
  });

  it('creates a private bucket when asked', async () => {
    // act
    const response = await call('bucketCreate', { headers: tenant.headers.master, body: { name: 'private one', public: false } });

    // assess
    expect(response.statusCode).toBe(201);
    expect(response.body.data).toMatchObject({ public: false, description: '' });
  });

  it.each([
    [{}, 42200002],
    [{ name: '  ' }, 42200002],
    [{ name: 7 }, 42200002],
    [{ name: 'x'.repeat(256) }, 42200003],
    [{ name: 'tab\there' }, 42200003],
    [{ name: 'ok', description: 'd'.repeat(1001) }, 42200004],
    [{ name: 'ok', public: 'yes' }, 42200030],
  ])('answers 422 for %j and creates nothing', async (body, code) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors[0].code).toBe(code);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it.each([
    ['200 × U+FB2C (600 bytes, 1200 after NFC)', '\uFB2C'.repeat(200)],
    ['43 × U+FB2C (258 bytes, 516 after NFC)', '\uFB2C'.repeat(43)],
    ['128 × é (256 UTF-8 bytes in 128 characters)', '\u00e9'.repeat(128)],
    ['64 four-byte emoji (256 bytes in 128 UTF-16 units)', '\u{1F4E6}'.repeat(64)],
    ['a lone surrogate', 'a\ud800b'],
  ])('answers 422 BUCKET_NAME_NOT_VALID for a name of %s, never 500, and creates nothing', async (_, name) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body: { name } });

    // assess
    expect(response.statusCode, response.rawBody).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200003, property: 'name', message: 'BUCKET_NAME_NOT_VALID' }]);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it.each([
    ['255 ASCII bytes', 'n'.repeat(255), 'n'.repeat(255)],
    ['85 × U+20AC (255 bytes)', '\u20ac'.repeat(85), '\u20ac'.repeat(85)],
    ['NFD input, stored as NFC', 'Cafe\u0301 ba\u0301r', 'Caf\u00e9 b\u00e1r'],
  ])('accepts a name of %s', async (_, name, stored) => {
    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body: { name } });

    // assess
    expectApillonSuccess(response, 201);
    expect(response.body.data.name).toBe(stored);
    expect(Buffer.byteLength(response.body.data.name, 'utf8')).toBeLessThanOrEqual(255);
  });

  it('answers 400 BUCKET_ALREADY_EXISTS for a name the account uses', async () => {
    // prepare
    await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 'twice' } });

    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 'twice' } });

    // assess
    expectApillonError(response, { status: 400, code: 40006011, message: 'BUCKET_ALREADY_EXISTS' });
  });

  it('needs KEY_WRITE, and an application token cannot create buckets', async () => {
    // prepare
    const reader = await createTestApiKey(services, tenant.accountId, [Permission.READ, Permission.EXECUTE]);

    // act
    const [byReader, byToken] = await Promise.all([
      call('bucketCreate', { headers: { authorization: reader.authorization }, body: { name: 'nope-1' } }),
      call('bucketCreate', { headers: tenant.headers.application, body: { name: 'nope-2' } }),
    ]);

    // assess
    expectApillonError(byReader, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_WRITE permission' });
    expect(byToken.statusCode).toBe(403);
  });
});

describe('GET /storage/buckets', () => {
  it('lists the account’s buckets with total, searchable and paged', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);
    const key = await createTestApiKey(services, accountId);
    const headers = { authorization: key.authorization };
    for (const name of ['alpha', 'beta', 'gamma']) await call('bucketCreate', { headers, body: { name } });

    // act
    const all = await call('bucketsList', { headers, query: { orderBy: 'name', desc: 'true' } });
    const searched = await call('bucketsList', { headers, query: { search: 'MM' } });
    const paged = await call('bucketsList', { headers, query: { orderBy: 'name', limit: '2', page: '2' } });

    // assess
    expectApillonSuccess(all);
    expect(all.body.data.items.map((bucket: { name: string }) => bucket.name)).toEqual(['gamma', 'beta', 'alpha']);
    expect(all.body.data.total).toBe(3);
    expect(searched.body.data.items.map((bucket: { name: string }) => bucket.name)).toEqual(['gamma']);
    expect(paged.body.data).toMatchObject({ total: 3, items: [{ name: 'gamma' }] });
  });

  it('shows an application token its own bucket only', async () => {
    // act
    const response = await call('bucketsList', { headers: tenant.headers.application });

    // assess
    expect(response.body.data.items.map((bucket: { bucketUuid: string }) => bucket.bucketUuid)).toEqual([tenant.bucket.bucketUuid]);
  });
});

describe('GET /storage/buckets/:bucketUuid', () => {
  it('answers the bucket', async () => {
    // act
    const response = await call('bucketGet', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toMatchObject({ bucketUuid: tenant.bucket.bucketUuid, name: tenant.bucket.name, bucketType: 1 });
  });

  it.each(['3f1d2c4b-0000-4000-8000-000000000000', 'nope', '%2e%2e'])('answers 404 BUCKET_NOT_FOUND for %s', async (bucketUuid) => {
    // act
    const response = await call('bucketGet', { params: { bucketUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonError(response, { status: 404, code: 40406002, message: 'BUCKET_NOT_FOUND' });
  });

  it('answers 403 for a bucket of another account', async () => {
    // prepare
    const stranger = await createTestTenant(services);

    // act
    const response = await call('bucketGet', { params: { bucketUuid: stranger.bucket.bucketUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonError(response, { status: 403, code: 40300001, message: 'Insufficient permissions to access this record' });
  });
});

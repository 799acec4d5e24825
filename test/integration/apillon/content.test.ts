/** Directory listings: the seed's `GET /storage/:bucketUuid/content` and the SDK's `GET /storage/buckets/:bucketUuid/content`. */
import { describe, expect } from 'vitest';
import { addressDirectory } from '../../../lib/core/directories/directories';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestTenant, type TestTenant } from '../../support/services';
import { call, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;
let docs: { id: number; uuid: string };

it.beforeAll(async ({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
  const put = (fileName: string, bytes: string, path?: string) =>
    uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName, bytes, path });
  await put('Banana.txt', 'bb');
  await put('apple.txt', 'aaaa');
  await put('cherry.md', 'c', undefined);
  await put('inner.txt', 'inside', 'docs');
  const root = await list({});
  docs = root.body.data.items.find((item: { name: string }) => item.name === 'docs');
});

function list(query: Record<string, string>, headers = tenant.headers.basic) {
  return call('content', { params: { bucketUuid: tenant.bucket.bucketUuid }, query, headers });
}

const names = (response: { body: { data: { items: { name: string }[] } } }) => response.body.data.items.map((item) => item.name);

type Cursor = { key?: Record<string, unknown>; offset?: number; scope: string };
const decode = (token: string): Cursor => JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
const encode = (cursor: unknown) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

/**
 * Tokens a client could forge from a real one (same scope, so only the key is wrong),
 * each a start key DynamoDB would refuse or one of another listing.
 */
const FORGED_LISTING_TOKENS: [string, (real: Cursor, bucketUuid: string) => unknown][] = [
  ['the listing partition alone', (real, bucketUuid) => ({ key: { listPk: `${bucketUuid}#ROOT` }, scope: real.scope })],
  ['an empty key', (real) => ({ key: {}, scope: real.scope })],
  ['an extra attribute', (real) => ({ key: { ...real.key, a: 'x' }, scope: real.scope })],
  ['another index’s sort attribute', (real) => {
    const { byName, ...rest } = real.key as Record<string, string>;
    return { key: { ...rest, byCreateTime: byName }, scope: real.scope };
  }],
  ['a number as the sort value', (real) => ({ key: { ...real.key, byName: 5 }, scope: real.scope })],
  ['an empty sort value', (real) => ({ key: { ...real.key, byName: '' }, scope: real.scope })],
  ['a sort value over 1024 bytes', (real) => ({ key: { ...real.key, byName: 'n'.repeat(1100) }, scope: real.scope })],
  ['a pk that is not an entry', (real) => ({ key: { ...real.key, pk: 'ACCOUNT#x' }, scope: real.scope })],
  ['an sk that is not ENTRY', (real) => ({ key: { ...real.key, sk: 'PROFILE' }, scope: real.scope })],
  ['another directory’s partition', (real) => ({ key: { ...real.key, listPk: '00000000-0000-4000-8000-000000000000#ROOT' }, scope: real.scope })],
  ['an array as the key', (real) => ({ key: ['pk', 'sk'], scope: real.scope })],
  ['an offset instead of the key', (real) => ({ offset: 1, scope: real.scope })],
  ['both a key and an offset', (real) => ({ ...real, offset: 1 })],
];

describe('forged nextToken', () => {
  const routes = [
    ['GET /storage/:bucketUuid/content', 'content'],
    ['GET /storage/buckets/:bucketUuid/content (SDK)', 'bucketContent'],
  ] as const;

  describe.each(routes)('%s', (_, route) => {
    const listing = (query: Record<string, string>) => call(route, { params: { bucketUuid: tenant.bucket.bucketUuid }, query, headers: tenant.headers.basic });

    it.each(FORGED_LISTING_TOKENS)('answers 422 NEXT_TOKEN_NOT_VALID for %s, never 500', async (__, forge) => {
      // prepare
      const real = decode((await listing({ limit: '1' })).body.data.nextToken);
      const nextToken = encode(forge(real, tenant.bucket.bucketUuid));

      // act
      const response = await listing({ limit: '1', nextToken });

      // assess
      expect(response.statusCode, response.rawBody).toBe(422);
      expect(Object.keys(response.body).sort()).toEqual(['errors', 'id', 'model', 'path', 'timestamp']);
      expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
    });

    it('answers 422 for a key instead of an offset in a searched listing', async () => {
      // prepare
      const real = decode((await listing({ limit: '1', search: 'a' })).body.data.nextToken);
      const keyed = decode((await listing({ limit: '1' })).body.data.nextToken);
      const nextToken = encode({ key: keyed.key, scope: real.scope });

      // act
      const response = await listing({ limit: '1', search: 'a', nextToken });

      // assess
      expect(response.statusCode, response.rawBody).toBe(422);
      expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
    });

    it('still continues from a genuine token', async () => {
      // prepare
      const first = await listing({ limit: '2' });

      // act
      const next = await listing({ limit: '2', nextToken: first.body.data.nextToken });

      // assess
      expectApillonSuccess(next);
      expect(next.body.data.items.map((item: { name: string }) => item.name)).toEqual(['cherry.md', 'docs']);
    });
  });
});

describe('GET /storage/:bucketUuid/content', () => {
  it('lists the root by name with the seed’s item fields and the total', async () => {
    // act
    const response = await list({});

    // assess
    expectApillonSuccess(response);
    expect(names(response)).toEqual(['apple.txt', 'Banana.txt', 'cherry.md', 'docs']);
    expect(response.body.data.total).toBe(4);
    const apple = response.body.data.items[0];
    expect(apple).toMatchObject({
      type: 'file',
      name: 'apple.txt',
      contentType: 'text/plain',
      size: 4,
      parentDirectoryId: null,
      status: 5,
      fileStatus: 4,
      link: `http://api.test.local/ipfs/${apple.CID}`,
    });
    expect(apple.CID).toMatch(/^bafybei/);
    expect(apple.CIDv0).toMatch(/^Qm/);
    expect(Number.isInteger(apple.id)).toBe(true);
    expect(apple.fileUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(apple.createTime).toISOString()).toBe(apple.createTime);
    expect(response.body.data.items[3]).toMatchObject({ type: 'directory', name: 'docs', fileUuid: null, CID: null, size: null });
  });

  it.each([
    ['numeric id', () => String(docs.id)],
    ['uuid', () => docs.uuid],
  ])('lists a directory by its %s, with parentDirectoryId', async (_, directoryId) => {
    // act
    const response = await list({ directoryId: directoryId() });

    // assess
    expect(names(response)).toEqual(['inner.txt']);
    expect(response.body.data.items[0].parentDirectoryId).toBe(docs.id);
  });

  it('searches names, case-insensitively, within the directory', async () => {
    // act
    const response = await list({ search: 'AN' });

    // assess
    expect(names(response)).toEqual(['Banana.txt']);
    expect(response.body.data.total).toBe(1);
  });

  it('orders by several fields with desc by index, and pages', async () => {
    // act
    const bySize = await list({ orderBy: 'size,name', desc: 'true,false' });
    const page2 = await list({ limit: '2', page: '2' });

    // assess
    expect(names(bySize)).toEqual(['apple.txt', 'Banana.txt', 'cherry.md', 'docs']);
    expect(names(page2)).toEqual(['cherry.md', 'docs']);
    expect(page2.body.data.total).toBe(4);
  });

  it('offers nextToken and continues from it', async () => {
    // act
    const first = await list({ limit: '3' });
    const next = await list({ limit: '3', nextToken: first.body.data.nextToken });

    // assess
    expect(names(first)).toEqual(['apple.txt', 'Banana.txt', 'cherry.md']);
    expect(names(next)).toEqual(['docs']);
    expect(next.body.data.nextToken).toBeUndefined();
  });

  it.each([
    [{ limit: '0' }, 42200022],
    [{ limit: '1001' }, 42200022],
    [{ limit: 'ten' }, 42200022],
    [{ page: '0' }, 42200021],
    [{ page: '-1' }, 42200021],
    [{ orderBy: 'name,owner' }, 42200023],
    [{ desc: 'yes' }, 42200024],
    [{ directoryId: 'abc' }, 42200026],
    [{ nextToken: 'garbage' }, 42200020],
    [{ search: 'x'.repeat(300) }, 42200025],
  ])('answers 422 for %j', async (query, code) => {
    // act
    const response = await list(query);

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors.map((error: { code: number }) => error.code)).toContain(code);
  });

  it('answers 404 DIRECTORY_NOT_FOUND for a file id or an unknown directory', async () => {
    // prepare
    const root = await list({});

    // act
    const responses = await Promise.all([
      list({ directoryId: String(root.body.data.items[0].id) }),
      list({ directoryId: '999999999' }),
      list({ directoryId: '3f1d2c4b-0000-4000-8000-000000000000' }),
    ]);

    // assess
    for (const response of responses) expectApillonError(response, { status: 404, code: 40406003, message: 'DIRECTORY_NOT_FOUND' });
  });

  it('needs KEY_READ', async () => {
    // prepare
    const key = await createTestApiKey(services, tenant.accountId, [Permission.WRITE, Permission.EXECUTE]);

    // act
    const response = await list({}, { authorization: key.authorization });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_READ permission' });
  });
});

describe('GET /storage/buckets/:bucketUuid/content (SDK)', () => {
  it('answers items with uuid and type 1|2, files with directoryUuid, fileStatus and path', async () => {
    // act
    const root = await call('bucketContent', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic });
    const inDocs = await call('bucketContent', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { directoryUuid: docs.uuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(root);
    expect(root.body.data.items.map((item: { type: number; name: string }) => [item.type, item.name])).toEqual([
      [2, 'apple.txt'], [2, 'Banana.txt'], [2, 'cherry.md'], [1, 'docs'],
    ]);
    expect(root.body.data.items[3]).toMatchObject({ uuid: docs.uuid, parentDirectoryUuid: null, CID: null });
    expect(inDocs.body.data.items).toEqual([
      expect.objectContaining({ type: 2, name: 'inner.txt', directoryUuid: docs.uuid, path: 'docs/', fileStatus: 4, uuid: expect.any(String) }),
    ]);
  });

  it('shows cidPending on a directory while its CID lags a change, false once addressed', async () => {
    // prepare
    const ref = { bucketUuid: tenant.bucket.bucketUuid, directoryUuid: docs.uuid };
    const docsItem = async () =>
      (await call('bucketContent', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic })).body.data.items.find((item: { name: string }) => item.name === 'docs');

    // act
    await services.directories.markStale(ref, new Date().toISOString());
    const marked = await docsItem();
    await addressDirectory(services, ref.bucketUuid, ref.directoryUuid);
    const addressed = await docsItem();

    // assess
    expect(marked).toMatchObject({ type: 1, cidPending: true });
    expect(addressed).toMatchObject({ type: 1, cidPending: false, CID: expect.stringMatching(/^bafybei/) });
  });

  it('lists the bucket’s files marked for deletion with markedForDeletion=true', async () => {
    // prepare
    const other = await createTestTenant(services);
    const kept = await uploadFile(services, other.bucket.bucketUuid, other.headers.basic, { fileName: 'kept.txt', bytes: 'k' });
    const gone = await uploadFile(services, other.bucket.bucketUuid, other.headers.basic, { fileName: 'gone.txt', bytes: 'g', path: 'd' });
    await call('bucketFileDelete', { params: { bucketUuid: other.bucket.bucketUuid, id: gone.fileUuid }, headers: other.headers.basic });

    // act
    const response = await call('bucketContent', { params: { bucketUuid: other.bucket.bucketUuid }, query: { markedForDeletion: 'true' }, headers: other.headers.basic });

    // assess
    expect(response.body.data.items).toEqual([expect.objectContaining({ uuid: gone.fileUuid, status: 8, type: 2 })]);
    expect(response.body.data.items.map((item: { uuid: string }) => item.uuid)).not.toContain(kept.fileUuid);
  });

  it('answers 422 for a malformed directoryUuid and 404 for an unknown one', async () => {
    // act
    const bad = await call('bucketContent', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { directoryUuid: '42' }, headers: tenant.headers.basic });
    const unknown = await call('bucketContent', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      query: { directoryUuid: '3f1d2c4b-0000-4000-8000-000000000000' },
      headers: tenant.headers.basic,
    });

    // assess
    expect(bad.statusCode).toBe(422);
    expectApillonError(unknown, { status: 404, code: 40406003, message: 'DIRECTORY_NOT_FOUND' });
  });
});

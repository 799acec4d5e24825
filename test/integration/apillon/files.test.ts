/** One file by id/uuid/CID, mark-for-deletion, directory deletion and the SDK's file lists. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestTenant, type TestTenant } from '../../support/services';
import { call, tableSnapshot, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

const HELLO = { v1: 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq', v0: 'QmWfVY9y3xjsixTgbd9AorQxH7VtMpzfx2HaWtsoUYecaX' };

async function tenantWithHello(): Promise<{ tenant: TestTenant; fileUuid: string; id: number }> {
  const tenant = await createTestTenant(services);
  const uploaded = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'hello.txt', bytes: 'hello' });
  return { tenant, fileUuid: uploaded.fileUuid, id: uploaded.fileUploadRequestId };
}

const detail = (tenant: TestTenant, id: string, headers = tenant.headers.basic) =>
  call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id }, headers });

describe('GET /storage/:bucketUuid/file/:id/detail', () => {
  it('finds a file by internal id, fileUuid, CIDv1 and CIDv0', async () => {
    // prepare
    const { tenant, fileUuid, id } = await tenantWithHello();

    // act
    const responses = await Promise.all([String(id), fileUuid, fileUuid.toUpperCase(), HELLO.v1, HELLO.v0].map((ref) => detail(tenant, ref)));

    // assess
    for (const response of responses) {
      expectApillonSuccess(response);
      expect(response.body.data).toEqual({
        fileStatus: 4,
        file: {
          id,
          status: 5,
          fileUuid,
          name: 'hello.txt',
          contentType: 'text/plain',
          size: 5,
          fileStatus: 4,
          CID: HELLO.v1,
          CIDv1: HELLO.v1,
          CIDv0: HELLO.v0,
          downloadLink: `http://api.test.local/ipfs/${HELLO.v1}`,
          path: '',
          createTime: expect.any(String),
          updateTime: expect.any(String),
        },
      });
    }
  });

  it.each([
    ['an unknown id', '999999999'],
    ['an unknown uuid', '3f1d2c4b-0000-4000-8000-000000000000'],
    ['a CID not in the bucket', 'bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y'],
    ['garbage', 'garbage'],
    ['a NUL', '%00'],
    ['a 5000-character id', 'x'.repeat(5000)],
  ])(
    'answers 404 FILE_DOES_NOT_EXISTS for %s',
    async (_, ref) => {
      // prepare
      const { tenant } = await tenantWithHello();

      // act
      const response = await detail(tenant, ref);

      // assess
      expectApillonError(response, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
    },
  );

  it('does not find a file of another bucket of the same account', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();
    const second = await createTestTenant(services);

    // act
    const response = await call('fileDetail', { params: { bucketUuid: second.bucket.bucketUuid, id: fileUuid }, headers: second.headers.basic });

    // assess
    expect(response.statusCode).toBe(404);
    expect(tenant.bucket.bucketUuid).not.toBe(second.bucket.bucketUuid);
  });

  it('answers 403 for a bucket of another account, and for an application token of another bucket', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();
    const stranger = await createTestTenant(services);

    // act
    const [foreign, token] = await Promise.all([detail(tenant, fileUuid, stranger.headers.basic), detail(tenant, fileUuid, stranger.headers.application)]);

    // assess
    expectApillonError(foreign, { status: 403, code: 40300001, message: 'Insufficient permissions to access this record' });
    expect(token.statusCode).toBe(403);
  });
});

describe('DELETE /storage/:bucketUuid/file/:id', () => {
  it('marks the file for deletion (status 8), drops it from the listing, and refuses a second delete', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();

    // act
    const deleted = await call('fileDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, id: HELLO.v1 }, headers: tenant.headers.basic });
    const again = await call('fileDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(deleted);
    expect(deleted.body.data).toMatchObject({ fileUuid, status: 8, fileStatus: 4, CID: HELLO.v1, name: 'hello.txt' });
    expectApillonError(again, { status: 400, code: 40006009, message: 'FILE_ALREADY_MARKED_FOR_DELETION' });
    const listing = await call('content', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic });
    expect(listing.body.data).toMatchObject({ items: [], total: 0 });
    expect((await detail(tenant, fileUuid)).body.data.file.status).toBe(8);
  });

  it('needs KEY_WRITE and changes nothing without it', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();
    const key = await createTestApiKey(services, tenant.accountId, [Permission.READ, Permission.EXECUTE]);
    const before = await tableSnapshot(services);

    // act
    const response = await call('fileDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_WRITE permission' });
    expect(await tableSnapshot(services)).toEqual(before);
  });
});

describe('the SDK’s file routes', () => {
  it('GET …/files/:fileUuid answers fileUuid, fileStatus, directoryUuid, path and link', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'hello.txt', bytes: 'hello', path: 'a/b/' });

    // act
    const response = await call('bucketFileGet', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toMatchObject({ fileUuid, name: 'hello.txt', fileStatus: 4, CID: HELLO.v1, path: 'a/b/', directoryUuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('DELETE …/files/:fileUuid marks it for deletion', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();

    // act
    const response = await call('bucketFileDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toMatchObject({ fileUuid, status: 8 });
  });

  it('DELETE …/directories/:directoryUuid marks every file inside for deletion and removes the directories', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    const bucketUuid = tenant.bucket.bucketUuid;
    const inner = await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'x.txt', bytes: 'x', path: 'dir/sub' });
    const top = await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'y.txt', bytes: 'y', path: 'dir' });
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'keep.txt', bytes: 'k' });
    const root = await call('bucketContent', { params: { bucketUuid }, headers: tenant.headers.basic });
    const dir = root.body.data.items.find((item: { name: string }) => item.name === 'dir');

    // act
    const response = await call('directoryDelete', { params: { bucketUuid, directoryUuid: dir.uuid }, headers: tenant.headers.basic });

    // assess
    expectApillonSuccess(response);
    const after = await call('bucketContent', { params: { bucketUuid }, headers: tenant.headers.basic });
    expect(after.body.data.items.map((item: { name: string }) => item.name)).toEqual(['keep.txt']);
    for (const fileUuid of [inner.fileUuid, top.fileUuid]) expect((await detail(tenant, fileUuid)).body.data.file.status).toBe(8);
    const again = await call('directoryDelete', { params: { bucketUuid, directoryUuid: dir.uuid }, headers: tenant.headers.basic });
    expectApillonError(again, { status: 404, code: 40406003, message: 'DIRECTORY_NOT_FOUND' });
  });

  it('DELETE …/directories/:id answers 404 for a file uuid or a malformed id', async () => {
    // prepare
    const { tenant, fileUuid } = await tenantWithHello();

    // act
    const responses = await Promise.all(
      [fileUuid, 'nope'].map((directoryUuid) => call('directoryDelete', { params: { bucketUuid: tenant.bucket.bucketUuid, directoryUuid }, headers: tenant.headers.basic })),
    );

    // assess
    for (const response of responses) expectApillonError(response, { status: 404, code: 40406003, message: 'DIRECTORY_NOT_FOUND' });
  });
});

describe('GET /storage/buckets/:bucketUuid/files', () => {
  it('lists the bucket’s files oldest first, filters by fileStatus and pages with page or nextToken', async () => {
    // prepare: three files at status 4 and one upload request still at status 1
    const tenant = await createTestTenant(services);
    const bucketUuid = tenant.bucket.bucketUuid;
    const uploaded = [];
    for (const name of ['1.txt', '2.txt', '3.txt']) uploaded.push(await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: name, bytes: name, path: 'd' }));
    await call('uploadRequest', { params: { bucketUuid }, headers: tenant.headers.basic, body: { fileName: 'pending.txt', contentType: 'text/plain' } });
    const list = (query: Record<string, string>) => call('bucketFiles', { params: { bucketUuid }, query, headers: tenant.headers.basic });

    // act
    const all = await list({});
    const available = await list({ fileStatus: '4', limit: '2' });
    const next = await list({ fileStatus: '4', limit: '2', nextToken: available.body.data.nextToken });
    const page2 = await list({ fileStatus: '4', limit: '2', page: '2' });
    const pending = await list({ fileStatus: '1' });

    // assess
    expect(all.body.data.total).toBe(4);
    expect(all.body.data.items.map((item: { name: string }) => item.name)).toEqual(['1.txt', '2.txt', '3.txt', 'pending.txt']);
    expect(available.body.data).toMatchObject({ total: 3, items: [{ fileUuid: uploaded[0]!.fileUuid }, { fileUuid: uploaded[1]!.fileUuid }] });
    expect(next.body.data.items.map((item: { fileUuid: string }) => item.fileUuid)).toEqual([uploaded[2]!.fileUuid]);
    expect(next.body.data.nextToken).toBeUndefined();
    expect(page2.body.data.items).toEqual(next.body.data.items);
    expect(pending.body.data).toMatchObject({ total: 1, items: [{ name: 'pending.txt', fileStatus: 1, CID: null }] });
    expect(all.body.data.items[0]).toMatchObject({ path: 'd/', directoryUuid: expect.any(String), sessionUuid: null, fileStatus: 4 });
  });

  it('refuses a nextToken of another bucket or filter', async () => {
    // prepare
    const tenant = await createTestTenant(services);
    for (const name of ['1', '2']) await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: name, bytes: name });
    const first = await call('bucketFiles', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { limit: '1' }, headers: tenant.headers.basic });
    const forged = Buffer.from(JSON.stringify({ key: { pk: 'x', sk: 'y', filesPk: 'FILES#other', filesSk: 'z' }, scope: 'x' })).toString('base64url');

    // act
    const responses = await Promise.all([
      call('bucketFiles', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { limit: '1', fileStatus: '4', nextToken: first.body.data.nextToken }, headers: tenant.headers.basic }),
      call('bucketFiles', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { nextToken: forged }, headers: tenant.headers.basic }),
    ]);

    // assess
    for (const response of responses) expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
  });

  describe('a forged nextToken', () => {
    type Cursor = { key: Record<string, unknown>; scope: string };
    const decode = (token: string): Cursor => JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const encode = (cursor: unknown) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
    let tenant: TestTenant;
    let sessionUuid: string;

    beforeAll(async () => {
      tenant = await createTestTenant(services);
      for (const name of ['1', '2']) await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: name, bytes: name });
      const session = await call('sessionUpload', {
        params: { bucketUuid: tenant.bucket.bucketUuid },
        headers: tenant.headers.basic,
        body: { files: [{ fileName: 'a.txt' }, { fileName: 'b.txt' }] },
      });
      sessionUuid = session.body.data.sessionUuid;
    });

    /** Same scope as a real token, so only the key is forged. */
    const FORGED: [string, (real: Cursor, partition: [string, string]) => unknown][] = [
      ['unknown attributes besides the partition', (real, [attribute, value]) => ({ key: { [attribute]: value, a: 'x', c: 'y', d: 'z' }, scope: real.scope })],
      ['the partition alone', (real, [attribute, value]) => ({ key: { [attribute]: value }, scope: real.scope })],
      ['an extra attribute', (real) => ({ key: { ...real.key, extra: 'x' }, scope: real.scope })],
      ['a missing sort attribute', (real) => {
        const { filesSk: _, ...rest } = real.key;
        return { key: rest, scope: real.scope };
      }],
      ['a number as the sort value', (real) => ({ key: { ...real.key, filesSk: 1 }, scope: real.scope })],
      ['an empty sort value', (real) => ({ key: { ...real.key, filesSk: '' }, scope: real.scope })],
      ['a pk that is not an entry', (real) => ({ key: { ...real.key, pk: 'BUCKET#x' }, scope: real.scope })],
      ['an sk that is not ENTRY', (real) => ({ key: { ...real.key, sk: 'BUCKET' }, scope: real.scope })],
      ['another bucket’s partition', (real, [attribute]) => ({ key: { ...real.key, [attribute]: 'FILES#00000000-0000-4000-8000-000000000000' }, scope: real.scope })],
      ['a null key', (real) => ({ key: null, scope: real.scope })],
    ];

    it.each(FORGED)('answers 422 NEXT_TOKEN_NOT_VALID for %s, on the bucket and on a session, never 500', async (_, forge) => {
      // prepare
      const bucketUuid = tenant.bucket.bucketUuid;
      const list = (query: Record<string, string>) => call('bucketFiles', { params: { bucketUuid }, query, headers: tenant.headers.basic });
      const bucketReal = decode((await list({ limit: '1' })).body.data.nextToken);
      const sessionReal = decode((await list({ limit: '1', sessionUuid })).body.data.nextToken);

      // act
      const responses = await Promise.all([
        list({ limit: '1', nextToken: encode(forge(bucketReal, ['filesPk', `FILES#${bucketUuid}`])) }),
        list({ limit: '1', sessionUuid, nextToken: encode(forge(sessionReal, ['sessionPk', `SESSION#${bucketUuid}#${sessionUuid}`])) }),
      ]);

      // assess
      for (const response of responses) {
        expect(response.statusCode, response.rawBody).toBe(422);
        expect(Object.keys(response.body).sort()).toEqual(['errors', 'id', 'model', 'path', 'timestamp']);
        expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
      }
    });

    it('answers 422 for a bucket token on a session listing', async () => {
      // prepare
      const bucketUuid = tenant.bucket.bucketUuid;
      const list = (query: Record<string, string>) => call('bucketFiles', { params: { bucketUuid }, query, headers: tenant.headers.basic });
      const bucketReal = decode((await list({ limit: '1' })).body.data.nextToken);
      const sessionReal = decode((await list({ limit: '1', sessionUuid })).body.data.nextToken);

      // act
      const response = await list({ limit: '1', sessionUuid, nextToken: encode({ key: bucketReal.key, scope: sessionReal.scope }) });

      // assess
      expect(response.statusCode, response.rawBody).toBe(422);
      expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
    });
  });

  it.each([
    [{ fileStatus: 'four' }, 42200027],
    [{ fileStatus: '0' }, 42200027],
    [{ sessionUuid: 'abc' }, 42200017],
    [{ limit: '5000' }, 42200022],
  ])('answers 422 for %j', async (query, code) => {
    // prepare
    const tenant = await createTestTenant(services);

    // act
    const response = await call('bucketFiles', { params: { bucketUuid: tenant.bucket.bucketUuid }, query, headers: tenant.headers.basic });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors[0].code).toBe(code);
  });

  it('answers an empty list for a session nobody used', async () => {
    // prepare
    const tenant = await createTestTenant(services);

    // act
    const response = await call('bucketFiles', { params: { bucketUuid: tenant.bucket.bucketUuid }, query: { sessionUuid: randomUUID() }, headers: tenant.headers.basic });

    // assess
    expect(response.body.data).toEqual({ items: [], total: 0 });
  });
});

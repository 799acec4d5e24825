/** The SDK's upload sessions: `POST /storage/buckets/:bucketUuid/upload` and `.../upload/:sessionUuid/end`. */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { tenantTest } from '../../support/fixtures';
import { createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { call, deliverEvents, objectKeyOf, putBytes, tableSnapshot, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const batch = (body: unknown, bucketUuid = tenant.bucket.bucketUuid, headers = tenant.headers.basic) =>
  call('sessionUpload', { params: { bucketUuid }, headers, body: body as object });
const end = (sessionUuid: string, body?: object, bucketUuid = tenant.bucket.bucketUuid) =>
  call('sessionEnd', { params: { bucketUuid, sessionUuid }, headers: { ...tenant.headers.basic, 'content-type': 'application/json' }, body: body ?? '' });

describe('a batch of upload requests', () => {
  it('answers in request order, echoing fileName and path exactly as sent', async () => {
    // prepare: what uploadFromFolder sends (trailing slashes, root '', an extra `index`)
    const files = [
      { fileName: 'b.txt', path: 'sub/', index: '/tmp/x/sub/b.txt' },
      { fileName: 'a.txt', path: '', index: '/tmp/x/a.txt' },
      { fileName: 'a.txt', path: 'sub/deeper/', index: '/tmp/x/sub/deeper/a.txt' },
      { fileName: 'page.html', contentType: 'text/html; charset=utf-8', path: null },
      { fileName: 'n.json' },
    ];
    const sessionUuid = randomUUID();

    // act
    const response = await batch({ files, sessionUuid });

    // assess
    expectApillonSuccess(response, 201);
    expect(response.body.data.sessionUuid).toBe(sessionUuid);
    expect(response.body.data.files.map((file: { fileName: string; path: string | null }) => [file.fileName, file.path])).toEqual([
      ['b.txt', 'sub/'],
      ['a.txt', ''],
      ['a.txt', 'sub/deeper/'],
      ['page.html', null],
      ['n.json', null],
    ]);
    expect(response.body.data.files.map((file: { contentType: string }) => file.contentType)).toEqual([
      'text/plain', 'text/plain', 'text/plain', 'text/html; charset=utf-8', 'application/json',
    ]);
    for (const file of response.body.data.files) {
      expect(file.url).toMatch(/^http:\/\//);
      expect(objectKeyOf(file.url)).toBe(`uploads/${tenant.bucket.bucketUuid}/${file.fileUuid}`);
    }
  });

  it('makes a session uuid when the client sends none', async () => {
    // act
    const response = await batch({ files: [{ fileName: 'x.txt' }] });

    // assess
    expect(response.statusCode).toBe(201);
    expect(response.body.data.sessionUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('appends batches to one session, and lists the session’s files', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const sessionUuid = randomUUID();
    await batch({ files: [{ fileName: '1.txt' }, { fileName: '2.txt' }], sessionUuid }, bucket.bucketUuid);

    // act
    const second = await batch({ files: [{ fileName: '3.txt' }], sessionUuid }, bucket.bucketUuid);
    const listed = await call('bucketFiles', { params: { bucketUuid: bucket.bucketUuid }, query: { sessionUuid }, headers: tenant.headers.basic });

    // assess
    expect(second.statusCode).toBe(201);
    expect(listed.body.data.total).toBe(3);
    expect(listed.body.data.items.map((item: { name: string }) => item.name).sort()).toEqual(['1.txt', '2.txt', '3.txt']);
    expect(listed.body.data.items.every((item: { fileStatus: number }) => item.fileStatus === 1)).toBe(true);
  });

  it('takes uploaded files to status 4 with the CID the SDK computes', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { body } = await batch({ files: [{ fileName: 'hello.txt', path: 'greetings/' }] }, bucket.bucketUuid);
    const [file] = body.data.files;

    // act
    await putBytes(file.url, 'hello');
    await deliverEvents(services, [objectKeyOf(file.url)]);

    // assess
    const got = await call('bucketFileGet', { params: { bucketUuid: bucket.bucketUuid, id: file.fileUuid }, headers: tenant.headers.basic });
    expect(got.body.data).toMatchObject({
      fileUuid: file.fileUuid,
      name: 'hello.txt',
      path: 'greetings/',
      fileStatus: 4,
      CID: 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq',
      CIDv0: 'QmWfVY9y3xjsixTgbd9AorQxH7VtMpzfx2HaWtsoUYecaX',
      link: 'http://api.test.local/ipfs/bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq',
    });
  });
});

describe('ending a session', () => {
  it('ends an open session; more files are then refused with 40006001', async () => {
    // prepare
    const sessionUuid = randomUUID();
    await batch({ files: [{ fileName: 'x.txt' }], sessionUuid });

    // act
    const ended = await end(sessionUuid, { wrapWithDirectory: false });
    const appended = await batch({ files: [{ fileName: 'y.txt' }], sessionUuid });

    // assess
    expectApillonSuccess(ended);
    expect(ended.body.data).toMatchObject({ sessionUuid, ended: true, fileCount: 1 });
    expectApillonError(appended, { status: 400, code: 40006001, message: 'FILE_UPLOAD_SESSION_ALREADY_ENDED' });
  });

  it('accepts an empty body and a session it has never seen (the SDK ends uploads of zero files)', async () => {
    // prepare
    const sessionUuid = randomUUID();

    // act
    const ended = await end(sessionUuid);
    const appended = await batch({ files: [{ fileName: 'late.txt' }], sessionUuid });

    // assess
    expectApillonSuccess(ended);
    expect(ended.body.data).toMatchObject({ sessionUuid, ended: true, fileCount: 0 });
    expect(appended.statusCode).toBe(400);
  });

  it('refuses to end a session twice', async () => {
    // prepare
    const sessionUuid = randomUUID();
    await end(sessionUuid);

    // act
    const again = await end(sessionUuid);

    // assess
    expectApillonError(again, { status: 400, code: 40006001, message: 'FILE_UPLOAD_SESSION_ALREADY_ENDED' });
  });

  it('does not see a session of another bucket', async () => {
    // prepare
    const other = await createTestBucket(services, tenant.accountId);
    const sessionUuid = randomUUID();
    await batch({ files: [{ fileName: 'x.txt' }], sessionUuid }, other.bucketUuid);

    // act
    const [ending, appending] = await Promise.all([end(sessionUuid), batch({ files: [{ fileName: 'y.txt' }], sessionUuid })]);

    // assess
    expectApillonError(ending, { status: 404, code: 40406004, message: 'FILE_UPLOAD_SESSION_NOT_FOUND' });
    expectApillonError(appending, { status: 404, code: 40406004, message: 'FILE_UPLOAD_SESSION_NOT_FOUND' });
  });

  it.each(['not-a-uuid', 'x'.repeat(300)])('answers 404 for the malformed session id %s', async (sessionUuid) => {
    // act
    const response = await end(sessionUuid.slice(0, 40));

    // assess
    expectApillonError(response, { status: 404, code: 40406004, message: 'FILE_UPLOAD_SESSION_NOT_FOUND' });
  });

  it('answers 422 for wrongly typed options', async () => {
    // act
    const response = await end(randomUUID(), { wrapWithDirectory: 'yes', directoryPath: '../x' });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors.map((error: { code: number }) => error.code).sort()).toEqual([42200018, 42200019]);
  });
});

describe('a refused batch', () => {
  it.each([
    ['no files', { files: [] }, 42200011],
    ['files not an array', { files: 'a.txt' }, 42200011],
    ['201 files', { files: Array.from({ length: 201 }, (_, i) => ({ fileName: `${i}.txt` })) }, 42200016],
    ['a file without a name', { files: [{ fileName: 'ok.txt' }, { path: 'x/' }] }, 42200008],
    ['an empty name', { files: [{ fileName: '' }] }, 42200008],
    ['a name with a slash', { files: [{ fileName: 'a/b' }] }, 42200012],
    ['a traversal path', { files: [{ fileName: 'a', path: '../../etc/' }] }, 42200010],
    ['a bad session uuid', { files: [{ fileName: 'a' }], sessionUuid: 'abc' }, 42200017],
  ])('%s → 422, nothing stored', async (_, body, code) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await batch(body);

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors.map((error: { code: number }) => error.code)).toContain(code);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('refuses the whole batch when one file’s folder is taken by a file, storing nothing', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'blocker', bytes: 'a file, not a folder' });
    const before = await tableSnapshot(services);

    // act
    const response = await batch(
      { files: [{ fileName: 'a.txt', path: 'newdir' }, { fileName: 'b.txt', path: 'blocker' }] },
      bucket.bucketUuid,
    );

    // assess
    expectApillonError(response, { status: 400, code: 40006012, message: 'INVALID_DIRECTORY' });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('refuses the whole batch when the declared sizes together exceed the quota, storing nothing', async () => {
    // prepare
    const small = await createTestTenant(services, { quotaBytes: 100 });
    const before = await tableSnapshot(services);

    // act
    const response = await batch({ files: [{ fileName: 'a', fileSize: 60 }, { fileName: 'b', fileSize: 60 }] }, small.bucket.bucketUuid, small.headers.basic);

    // assess
    expectApillonError(response, { status: 400, code: 40006003, message: 'NOT_ENOUGH_STORAGE_SPACE', details: { limitBytes: 100, usedBytes: 0, requestedBytes: 120 } });
    expect(await tableSnapshot(services)).toEqual(before);
  });
});

describe('a batch larger than one batch read (its folders read first, then the claims under the folders that exist)', () => {
  it('refuses 150 files when one of them would take the place of an existing folder, storing nothing', async () => {
    // prepare: docs/sub is a folder
    const bucket = await createTestBucket(services, tenant.accountId);
    await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'x.txt', path: 'docs/sub', bytes: 'x' });
    const before = await tableSnapshot(services);
    const files = [...Array.from({ length: 149 }, (_, i) => ({ fileName: `${i}.txt`, path: i % 2 ? 'docs' : `new-${i % 5}` })), { fileName: 'sub', path: 'docs' }];

    // act
    const response = await batch({ files }, bucket.bucketUuid);

    // assess
    expectApillonError(response, { status: 400, code: 40006012, message: 'INVALID_DIRECTORY' });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('counts the bytes of the files 150 files replace in an existing folder against the quota', async () => {
    // prepare: 60 of 100 bytes used by docs/a.txt
    const small = await createTestTenant(services, { quotaBytes: 100 });
    await uploadFile(services, small.bucket.bucketUuid, small.headers.basic, { fileName: 'a.txt', path: 'docs', bytes: 'x'.repeat(60) });
    const files = [{ fileName: 'a.txt', path: 'docs', fileSize: 90 }, ...Array.from({ length: 149 }, (_, i) => ({ fileName: `${i}.txt`, path: `new-${i % 5}`, fileSize: 0 }))];

    // act: 90 bytes in place of a.txt's 60 fit (60 + 90 - 60); 101 do not
    const accepted = await batch({ files }, small.bucket.bucketUuid, small.headers.basic);
    const refused = await batch({ files: [{ ...files[0]!, fileSize: 101 }, ...files.slice(1)] }, small.bucket.bucketUuid, small.headers.basic);

    // assess
    expectApillonSuccess(accepted, 201);
    expect(accepted.body.data.files).toHaveLength(150);
    // 101 bytes in place of 60: 41 more, over the 40 left.
    expectApillonError(refused, { status: 400, code: 40006003, message: 'NOT_ENOUGH_STORAGE_SPACE', details: { limitBytes: 100, usedBytes: 60, requestedBytes: 41, availableBytes: 40 } });
  });
});

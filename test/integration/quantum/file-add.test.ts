import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import type { Services } from '../../../lib/app/services';
import { expectQuantumError, expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, formBody, quantum, routeEvent, snapshot, storedText } from './support';

const it = tenantTest({ quotaBytes: 1_000_000 });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

/** A fresh bucket per test, so paths never collide. */
const freshBucket = () => createTestBucket(services, tenant.accountId);
const master = () => tenant.headers.master;


describe('POST /file/add/<bucket>/<location>', () => {
  it('stores each file at location/<basename>, creating the folders, and charges the account', async () => {
    // prepare
    const bucket = await freshBucket();
    const usedBefore = (await services.accounts.getAccount(tenant.accountId))!.usedBytes;

    // act
    const response = await addFiles(master(), bucket.name, 'docs/2024', [
      { name: 'a.txt', content: 'alpha', type: 'text/plain' },
      { name: 'b.bin', content: new Uint8Array([0, 1, 2, 255]) },
    ]);

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data).toBeUndefined();
    expect((await snapshot(services, bucket)).paths).toEqual(['docs', 'docs/2024', 'docs/2024/a.txt', 'docs/2024/b.bin']);
    expect(await storedText(services, bucket, 'docs/2024/a.txt')).toBe('alpha');
    const file = await services.entries.get((await services.entries.getPathClaim(bucket.bucketUuid, 'docs/2024/a.txt'))!.entryUuid);
    expect(file).toMatchObject({ fileStatus: 2, size: 5, contentType: 'text/plain', name: 'a.txt' });
    expect((await services.accounts.getAccount(tenant.accountId))!.usedBytes).toBe(usedBefore + 9);
  });

  it('stores at the bucket root when no location is given', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addFiles(master(), bucket.name, undefined, [{ name: 'top.txt', content: 'top' }]);

    // assess
    expectQuantumSuccess(response);
    expect((await snapshot(services, bucket)).paths).toEqual(['top.txt']);
  });

  it.each([
    ['a Windows path', 'C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['a relative path', '../../etc/passwd', 'passwd'],
    ['a mixed path', 'dir/sub\\deep/name.txt', 'name.txt'],
  ])('keeps only the basename of %s', async (_, clientName, stored) => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addFiles(master(), bucket.name, 'in', [{ name: clientName, content: 'x' }]);

    // assess
    expectQuantumSuccess(response);
    expect((await snapshot(services, bucket)).paths).toEqual(['in', `in/${stored}`]);
  });

  it('answers 400 FILE_ALREADY_EXISTS without force, and overwrites with force=true (usage follows the new size)', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(master(), bucket.name, 'd', [{ name: 'f.txt', content: 'first version' }]);
    const before = await snapshot(services, bucket);

    // act
    const refused = await addFiles(master(), bucket.name, 'd', [{ name: 'f.txt', content: 'second' }]);
    const notForced = await addFiles(master(), bucket.name, 'd', [{ name: 'f.txt', content: 'second' }], { force: 'false' });
    const forced = await addFiles(master(), bucket.name, 'd', [{ name: 'f.txt', content: 'second' }], { force: 'true' });

    // assess
    expectQuantumError(refused, { status: 400, message: 'FILE_ALREADY_EXISTS' });
    expectQuantumError(notForced, { status: 400, message: 'FILE_ALREADY_EXISTS' });
    expectQuantumSuccess(forced);
    expect(await storedText(services, bucket, 'd/f.txt')).toBe('second');
    const after = await snapshot(services, bucket);
    expect(after.objects).toHaveLength(1);
    expect(after.objects).not.toEqual(before.objects);
    expect(after.accountUsedBytes).toBe(before.accountUsedBytes - 'first version'.length + 'second'.length);
  });

  it('answers 400 INVALID_BUCKET for an application token of another bucket, 404 BUCKET_DNE for the master key', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const wrongToken = await addFiles(tenant.headers.application, bucket.name, 'x', [{ name: 'a.txt', content: 'a' }]);
    const missing = await addFiles(master(), 'no-such-bucket', 'x', [{ name: 'a.txt', content: 'a' }]);

    // assess
    expectQuantumError(wrongToken, { status: 400, message: 'INVALID_BUCKET' });
    expectQuantumError(missing, { status: 404, message: 'BUCKET_DNE' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('answers 400 INSUFFICIENT_SPACE over quota, naming the quota in bytes, and keeps nothing of the file', async () => {
    // prepare
    const small = await createTestTenant(services, { quotaBytes: 10 });
    const before = await snapshot(services, small.bucket);

    // act
    const response = await addFiles(small.headers.master, small.bucket.name, 'big', [{ name: 'eleven.txt', content: '01234567890' }]);

    // assess
    expectQuantumError(response, {
      status: 400,
      message: 'INSUFFICIENT_SPACE',
      data: { limitBytes: 10, usedBytes: 0, requestedBytes: 11, availableBytes: 10, reason: '11 bytes more would pass the account’s quota of 10 bytes (0 used, 10 left)' },
    });
    expect(await snapshot(services, small.bucket)).toEqual(before);
  });

  it('lets force=true replace a file when only the difference fits the quota', async () => {
    // prepare
    const small = await createTestTenant(services, { quotaBytes: 10 });
    await addFiles(small.headers.master, small.bucket.name, 'd', [{ name: 'f.txt', content: '12345678' }]);

    // act
    const response = await addFiles(small.headers.master, small.bucket.name, 'd', [{ name: 'f.txt', content: 'abcdefghi' }], { force: 'true' });

    // assess
    expectQuantumSuccess(response);
    expect(await storedText(services, small.bucket, 'd/f.txt')).toBe('abcdefghi');
    expect((await snapshot(services, small.bucket)).accountUsedBytes).toBe(9);
  });

  it('stores nothing when one file of several would not fit or already exists', async () => {
    // prepare
    const small = await createTestTenant(services, { quotaBytes: 10 });
    await addFiles(small.headers.master, small.bucket.name, 'd', [{ name: 'taken.txt', content: '1' }]);
    const before = await snapshot(services, small.bucket);

    // act
    const overQuota = await addFiles(small.headers.master, small.bucket.name, 'd', [
      { name: 'fits.txt', content: '12345' },
      { name: 'too-much.txt', content: '12345' },
    ]);
    const conflict = await addFiles(small.headers.master, small.bucket.name, 'd', [
      { name: 'new.txt', content: '1' },
      { name: 'taken.txt', content: '2' },
    ]);
    const duplicate = await addFiles(small.headers.master, small.bucket.name, 'd', [
      { name: 'twice.txt', content: '1' },
      { name: 'twice.txt', content: '2' },
    ]);

    // assess
    expectQuantumError(overQuota, { status: 400, message: 'INSUFFICIENT_SPACE', data: { limitBytes: 10, usedBytes: 1, requestedBytes: 10, availableBytes: 9 } });
    expectQuantumError(conflict, { status: 400, message: 'FILE_ALREADY_EXISTS' });
    expectQuantumError(duplicate, { status: 400, message: 'FILE_ALREADY_EXISTS' });
    expect(await snapshot(services, small.bucket)).toEqual(before);
  });

  it('answers 400 INVALID_DIR when a file holds a folder name of the location', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(master(), bucket.name, 'd', [{ name: 'file', content: 'x' }]);
    const before = await snapshot(services, bucket);

    // act
    const response = await addFiles(master(), bucket.name, 'd/file/inside', [{ name: 'a.txt', content: 'a' }]);

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_DIR' });
    expect(await snapshot(services, bucket)).toEqual(before);
  });

  it('needs EXECUTE for an API key', async () => {
    // prepare
    const bucket = await freshBucket();
    const readWrite = await createTestApiKey(services, tenant.accountId, [Permission.READ, Permission.WRITE]);
    const execute = await createTestApiKey(services, tenant.accountId, [Permission.EXECUTE]);

    // act
    const refused = await addFiles({ authorization: readWrite.authorization }, bucket.name, 'k', [{ name: 'a.txt', content: 'a' }]);
    const allowed = await addFiles({ authorization: execute.authorization }, bucket.name, 'k', [{ name: 'a.txt', content: 'a' }]);

    // assess
    expectQuantumError(refused, { status: 403, message: 'UNAUTHORIZED' });
    expectQuantumSuccess(allowed);
  });
});

describe('POST /file/add: malformed requests', () => {
  const post = (headers: Record<string, string>, body?: Buffer | string) =>
    invoke(
      quantum.fileAdd,
      routeEvent({ method: 'POST', route: '/file/add/{bucket}/{location+}', params: { bucket: tenant.bucket.name, location: 'm' }, headers: { ...master(), ...headers }, body }),
    );

  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, '{"files": []}', 'INVALID_CONTENT_TYPE'],
    ['no content type', {}, 'files=abc', 'INVALID_CONTENT_TYPE'],
    ['a urlencoded form', { 'content-type': 'application/x-www-form-urlencoded' }, 'files=abc', 'INVALID_CONTENT_TYPE'],
    ['no boundary', { 'content-type': 'multipart/form-data' }, '--x\r\n\r\n--x--', 'INVALID_FORM_DATA'],
    ['a body that is not multipart', { 'content-type': 'multipart/form-data; boundary=xyz' }, 'garbage', 'INVALID_FORM_DATA'],
    ['an empty body', { 'content-type': 'multipart/form-data; boundary=xyz' }, '', 'INVALID_FORM_DATA'],
  ])('refuses %s with 400 %s', async (_, headers, body, code) => {
    // act
    const response = await post(headers, body);

    // assess
    expectQuantumError(response, { status: 400, message: code });
  });

  it('refuses a truncated form with 400 INVALID_FORM_DATA and stores nothing', async () => {
    // prepare
    const bucket = await freshBucket();
    const { body, contentType } = await formBody([{ name: 'a.txt', content: 'content that gets cut' }]);

    // act
    const response = await invoke(
      quantum.fileAdd,
      routeEvent({ method: 'POST', route: '/file/add/{bucket}/{location+}', params: { bucket: bucket.name, location: 'm' }, headers: { ...master(), 'content-type': contentType }, body: body.subarray(0, body.length - 20) }),
    );

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_FORM_DATA' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('refuses a form without a `files` field with 400 NO_FILES', async () => {
    // prepare
    const { body, contentType } = await formBody([{ name: 'a.txt', content: 'a' }], { force: 'true' }, 'attachment');

    // act
    const response = await post({ 'content-type': contentType }, body);

    // assess
    expectQuantumError(response, { status: 400, message: 'NO_FILES' });
  });

  it('refuses more than 50 files with 400 TOO_MANY_FILES', async () => {
    // prepare
    const files = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}.txt`, content: 'x' }));
    const { body, contentType } = await formBody(files);

    // act
    const response = await post({ 'content-type': contentType }, body);

    // assess
    expectQuantumError(response, { status: 400, message: 'TOO_MANY_FILES', data: { limit: 50 } });
  });

  it('refuses a body over 10 MB with 400 REQUEST_TOO_LARGE, naming the limit and the route for large files', async () => {
    // prepare
    const { body, contentType } = await formBody([{ name: 'huge.bin', content: new Uint8Array(10 * 1024 * 1024 + 1) }]);

    // act
    const response = await post({ 'content-type': contentType }, body);

    // assess
    expectQuantumError(response, {
      status: 400,
      message: 'REQUEST_TOO_LARGE',
      data: {
        limitBytes: 10 * 1024 * 1024,
        sizeBytes: body.length,
        largeFileRoute: 'POST /API/upload/create/<bucket>/<location>',
        reason: `the form is ${body.length} bytes; a request takes at most ${10 * 1024 * 1024} bytes; upload larger files in parts with POST /API/upload/create/<bucket>/<location>`,
      },
    });
  });
});

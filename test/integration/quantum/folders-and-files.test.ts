import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import { requestUpload } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { expectQuantumError, expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, quantum, routeEvent, snapshot } from './support';

const it = tenantTest({ quotaBytes: 5_000 });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const freshBucket = () => createTestBucket(services, tenant.accountId);
const onLocation = (handler: 'fileMkdir' | 'fileRemove' | 'fileGet', method: string, route: string) =>
  (bucket: string, location: string, headers: Record<string, string> = tenant.headers.master) =>
    invoke(quantum[handler], routeEvent({ method, route: `/file/${route}/{bucket}/{location+}`, params: { bucket, location }, headers }));
const mkdir = onLocation('fileMkdir', 'POST', 'mkdir');
const remove = onLocation('fileRemove', 'POST', 'remove');
const get = onLocation('fileGet', 'GET', 'get');
const quota = (headers: Record<string, string>) => invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers }));

describe('POST /file/mkdir/<bucket>/<location>', () => {
  it('creates the folder and its missing parents; an existing folder is fine', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const first = await mkdir(bucket.name, 'a/b/c');
    const again = await mkdir(bucket.name, 'a/b');

    // assess
    expectQuantumSuccess(first);
    expectQuantumSuccess(again);
    expect((await snapshot(services, bucket)).paths).toEqual(['a', 'a/b', 'a/b/c']);
  });

  it('answers 400 INVALID_DIR where a file has that name, and creates nothing', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(tenant.headers.master, bucket.name, 'a', [{ name: 'file', content: 'x' }]);
    const before = await snapshot(services, bucket);

    // act
    const same = await mkdir(bucket.name, 'a/file');
    const below = await mkdir(bucket.name, 'a/file/deeper');

    // assess
    expectQuantumError(same, { status: 400, message: 'INVALID_DIR' });
    expectQuantumError(below, { status: 400, message: 'INVALID_DIR' });
    expect(await snapshot(services, bucket)).toEqual(before);
  });

  it('works with an application token of the bucket and needs WRITE for an API key', async () => {
    // prepare
    const readOnly = await createTestApiKey(services, tenant.accountId, [Permission.READ]);

    // act
    const byToken = await mkdir(tenant.bucket.name, 'by-token', tenant.headers.application);
    const byReader = await mkdir(tenant.bucket.name, 'by-reader', { authorization: readOnly.authorization });

    // assess
    expectQuantumSuccess(byToken);
    expectQuantumError(byReader, { status: 403, message: 'UNAUTHORIZED' });
  });
});

describe('POST /file/remove/<bucket>/<location>', () => {
  it('removes a file and gives its bytes back to the quota', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(tenant.headers.master, bucket.name, 'd', [{ name: 'a.txt', content: '12345' }, { name: 'b.txt', content: '67' }]);
    const before = await snapshot(services, bucket);

    // act
    const response = await remove(bucket.name, 'd/a.txt');

    // assess
    expectQuantumSuccess(response);
    const after = await snapshot(services, bucket);
    expect(after.paths).toEqual(['d', 'd/b.txt']);
    expect(after.objects).toHaveLength(1);
    expect(after.accountUsedBytes).toBe(before.accountUsedBytes - 5);
    expect(after.bucketSizeBytes).toBe(2);
  });

  it('removes a folder with everything in it', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(tenant.headers.master, bucket.name, 'top/mid/low', [{ name: 'deep.txt', content: 'deep' }]);
    await addFiles(tenant.headers.master, bucket.name, 'top', [{ name: 'near.txt', content: 'near' }]);
    await addFiles(tenant.headers.master, bucket.name, 'other', [{ name: 'kept.txt', content: 'kept' }]);
    await mkdir(bucket.name, 'top/empty');
    const before = await snapshot(services, bucket);

    // act
    const response = await remove(bucket.name, 'top');

    // assess
    expectQuantumSuccess(response);
    const after = await snapshot(services, bucket);
    expect(after.paths).toEqual(['other', 'other/kept.txt']);
    expect(after.objects).toHaveLength(1);
    expect(after.accountUsedBytes).toBe(before.accountUsedBytes - 8);
  });

  it('answers 404 FILE_DNE when nothing is there', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await remove(bucket.name, 'nothing/here.txt');

    // assess
    expectQuantumError(response, { status: 404, message: 'FILE_DNE' });
  });
});

describe('GET /file/get/<bucket>/<location>', () => {
  it('gives a file token for a file', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(tenant.headers.master, bucket.name, 'd', [{ name: 'a.txt', content: 'a' }]);

    // act
    const response = await get(bucket.name, 'd/a.txt');

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data).toEqual({ file_token: expect.stringMatching(/^[\w-]{43}$/) });
  });

  it('answers 404 NOT_A_FILE for a folder and 404 FILE_DNE for nothing', async () => {
    // prepare
    const bucket = await freshBucket();
    await mkdir(bucket.name, 'folder');

    // act
    const [folder, nothing] = await Promise.all([get(bucket.name, 'folder'), get(bucket.name, 'missing.txt')]);

    // assess
    expectQuantumError(folder, { status: 404, message: 'NOT_A_FILE' });
    expectQuantumError(nothing, { status: 404, message: 'FILE_DNE' });
  });

  it('does not count a file whose bytes have not arrived (status 1)', async () => {
    // prepare
    const bucket = await freshBucket();
    await requestUpload(services, bucket, { fileName: 'pending.txt', directory: [], contentType: 'text/plain', declaredSize: 3, overwrite: false });

    // act
    const response = await get(bucket.name, 'pending.txt');

    // assess
    expectQuantumError(response, { status: 404, message: 'FILE_DNE' });
  });

  it('needs READ for an API key', async () => {
    // prepare
    const writeOnly = await createTestApiKey(services, tenant.accountId, [Permission.WRITE, Permission.EXECUTE]);

    // act
    const response = await get(tenant.bucket.name, 'anything.txt', { authorization: writeOnly.authorization });

    // assess
    expectQuantumError(response, { status: 403, message: 'UNAUTHORIZED' });
  });
});

describe('GET /file/quota', () => {
  it('gives the bytes left: quota minus usage, for every kind of credential', async () => {
    // prepare
    const account = await createTestTenant(services, { quotaBytes: 1000 });
    await addFiles(account.headers.master, account.bucket.name, 'q', [{ name: 'a.txt', content: 'x'.repeat(300) }]);

    // act
    const responses = await Promise.all([quota(account.headers.master), quota(account.headers.application), quota(account.headers.basic)]);

    // assess
    for (const response of responses) {
      expectQuantumSuccess(response);
      expect(response.body.data).toEqual({ space_left: 700 });
    }
  });

  it('needs a valid key', async () => {
    // act
    const response = await quota({ 'x-api-akey': 'at_nope' });

    // assess
    expectQuantumError(response, { status: 401, message: 'UNAUTHORIZED' });
  });
});

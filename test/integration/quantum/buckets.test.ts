import { describe, expect } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import { markFileForDeletion } from '../../../lib/core/deletion/deletion';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import { isFile, RecordStatus } from '../../../lib/core/model/entries';
import type { Services } from '../../../lib/app/services';
import { expectQuantumError, expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestApiKey, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, listObjects, quantum, routeEvent, snapshot } from './support';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const listBuckets = (headers: Record<string, string>) => invoke(quantum.bucketList, routeEvent({ method: 'GET', route: '/bucket', headers }));
const createBucket = (name: string, headers = tenant.headers.master) =>
  invoke(quantum.bucketCreate, routeEvent({ method: 'POST', route: '/bucket/create/{bucket}', params: { bucket: name }, headers }));
const removeBucket = (name: string, headers = tenant.headers.master) =>
  invoke(quantum.bucketRemove, routeEvent({ method: 'POST', route: '/bucket/remove/{bucket}', params: { bucket: name }, headers }));

describe('GET /bucket', () => {
  it('lists the names of the account buckets for the master key', async () => {
    // prepare
    await createBucket('listed-one');

    // act
    const response = await listBuckets(tenant.headers.master);

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data).toEqual({ Buckets: expect.arrayContaining([tenant.bucket.name, 'listed-one']) });
  });

  it('refuses an application token and an API key with 403 UNAUTHORIZED', async () => {
    // act
    const [token, apiKey] = await Promise.all([listBuckets(tenant.headers.application), listBuckets(tenant.headers.basic)]);

    // assess
    expectQuantumError(token, { status: 403, message: 'UNAUTHORIZED' });
    expectQuantumError(apiKey, { status: 403, message: 'UNAUTHORIZED' });
  });

  it('refuses a missing or unknown key with 401 UNAUTHORIZED', async () => {
    // act
    const [missing, unknown] = await Promise.all([listBuckets({}), listBuckets({ 'x-api-mkey': 'mk_not-a-key' })]);

    // assess
    expectQuantumError(missing, { status: 401, message: 'UNAUTHORIZED' });
    expectQuantumError(unknown, { status: 401, message: 'UNAUTHORIZED' });
  });
});

describe('POST /bucket/create/<name>', () => {
  it('creates a private bucket', async () => {
    // act
    const response = await createBucket('photos-2024');

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data).toBeUndefined();
    const bucket = await services.buckets.getByName(tenant.accountId, 'photos-2024');
    expect(bucket).toMatchObject({ name: 'photos-2024', public: false, sizeBytes: 0, accountId: tenant.accountId });
  });

  it('answers 400 BUCKET_EXISTS for a name the account already has', async () => {
    // prepare
    await createBucket('twice');

    // act
    const response = await createBucket('twice');

    // assess
    expectQuantumError(response, { status: 400, message: 'BUCKET_EXISTS' });
  });

  it.each(['has space', 'ünïcode', '-leading-dash', 'a'.repeat(64), 'dots..inside'])('refuses the name %j with 400 INVALID_BUCKET_NAME', async (name) => {
    // act
    const response = await createBucket(name);

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_BUCKET_NAME' });
    expect(await services.buckets.getByName(tenant.accountId, name)).toBeUndefined();
  });

  it.each([
    ['200 × U+FB2C (1200 bytes after NFC)', '\uFB2C'.repeat(200)],
    ['128 × é (256 bytes)', '\u00e9'.repeat(128)],
  ])('refuses a name over 255 bytes, %s, with 400 INVALID_PATH on create and remove, never 500', async (_, name) => {
    // prepare
    const before = await services.buckets.list(tenant.accountId);

    // act
    const responses = await Promise.all([createBucket(name), removeBucket(name)]);

    // assess
    for (const response of responses) expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect(await services.buckets.list(tenant.accountId)).toEqual(before);
  });

  it('needs the master key', async () => {
    // act
    const [token, apiKey] = await Promise.all([
      createBucket('by-token', tenant.headers.application),
      createBucket('by-api-key', tenant.headers.basic),
    ]);

    // assess
    expectQuantumError(token, { status: 403, message: 'UNAUTHORIZED' });
    expectQuantumError(apiKey, { status: 403, message: 'UNAUTHORIZED' });
  });
});

describe('POST /bucket/remove/<name>', () => {
  it('answers 404 BUCKET_DNE for a name the account does not have', async () => {
    // act
    const response = await removeBucket('never-created');

    // assess
    expectQuantumError(response, { status: 404, message: 'BUCKET_DNE' });
  });

  it('removes the bucket with its files, folders and tokens, gives the quota back and frees the name', async () => {
    // prepare
    await createBucket('doomed');
    const bucket = (await services.buckets.getByName(tenant.accountId, 'doomed'))!;
    await addFiles(tenant.headers.master, 'doomed', 'a/b', [{ name: 'one.txt', content: 'one' }, { name: 'two.txt', content: 'two!' }]);
    await addFiles(tenant.headers.master, 'doomed', undefined, [{ name: 'root.txt', content: 'root' }]);
    const token = await invoke(quantum.tokenCreate, routeEvent({ method: 'POST', route: '/token/create/{bucket}', params: { bucket: 'doomed' }, headers: tenant.headers.master }));
    const before = await snapshot(services, bucket);
    // The S3 event function takes each file on to status 4: a replica exists too.
    for (const key of before.objects) await processObjectCreated(services, key.replace(/^files\/([^/]+)\/([^/]+)\/.*$/, 'uploads/$1/$2'));
    const replicasBefore = await listObjects(services, `files/${bucket.bucketUuid}/`, services.config.REPLICA_BUCKET);
    const usedBefore = (await services.accounts.getAccount(tenant.accountId))!.usedBytes;

    // act
    const response = await removeBucket('doomed');

    // assess
    expectQuantumSuccess(response);
    expect(before.paths).toEqual(['a', 'a/b', 'a/b/one.txt', 'a/b/two.txt', 'root.txt']);
    expect(replicasBefore).toHaveLength(3);
    expect(await snapshot(services, bucket)).toMatchObject({ paths: [], objects: [], bucketSizeBytes: undefined });
    expect(await listObjects(services, `files/${bucket.bucketUuid}/`, services.config.REPLICA_BUCKET)).toEqual([]);
    expect((await services.accounts.getAccount(tenant.accountId))!.usedBytes).toBe(usedBefore - 11);
    expect(await services.accounts.listBucketTokens(bucket.bucketUuid)).toEqual([]);
    const revoked = await invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers: { 'x-api-akey': token.body.data.token } }));
    expectQuantumError(revoked, { status: 401, message: 'UNAUTHORIZED' });
    expect((await listBuckets(tenant.headers.master)).body.data.Buckets).not.toContain('doomed');
    expectQuantumSuccess(await createBucket('doomed'));
  });

  it('also purges files marked for deletion (Apillon) and forgets pending upload requests', async () => {
    // prepare
    const account = await createTestTenant(services);
    const headers = account.headers.master;
    await addFiles(headers, account.bucket.name, 'd', [{ name: 'marked.txt', content: '1234567' }]);
    const claim = await services.entries.getPathClaim(account.bucket.bucketUuid, 'd/marked.txt');
    const marked = await services.entries.get(claim!.entryUuid);
    if (!marked || !isFile(marked)) throw new Error('the added file is missing');
    await markFileForDeletion(services, marked);
    const pending = await requestUpload(services, account.bucket, { fileName: 'late.bin', directory: [], contentType: 'application/octet-stream', declaredSize: 3, overwrite: false });
    expect((await services.accounts.getAccount(account.accountId))!.usedBytes).toBe(7);

    // act
    const response = await removeBucket(account.bucket.name, headers);

    // assess
    expectQuantumSuccess(response);
    expect((await services.accounts.getAccount(account.accountId))!.usedBytes).toBe(0);
    for (const recordStatus of [RecordStatus.ACTIVE, RecordStatus.MARKED_FOR_DELETION]) {
      const page = await services.listings.listFiles({ bucketUuid: account.bucket.bucketUuid, recordStatus, offset: 0, limit: 10 });
      expect(page.items).toEqual([]);
    }
    // bytes arriving late for the forgotten request belong to nobody
    await services.blobs.put(uploadKeyOf(pending), new Uint8Array([1, 2, 3]), 'application/octet-stream');
    expect(await processObjectCreated(services, uploadKeyOf(pending))).toBeUndefined();
    expect(await services.blobs.head(uploadKeyOf(pending))).toBeUndefined();
    expect(await services.buckets.get(account.bucket.bucketUuid)).toBeUndefined();
    expect((await services.accounts.getAccount(account.accountId))!.usedBytes).toBe(0);
  });

  it('needs the master key, even with an API key that holds every permission', async () => {
    // prepare
    await createBucket('kept');
    const apiKey = await createTestApiKey(services, tenant.accountId, [Permission.READ, Permission.WRITE, Permission.EXECUTE]);

    // act
    const response = await removeBucket('kept', { authorization: apiKey.authorization });

    // assess
    expectQuantumError(response, { status: 403, message: 'UNAUTHORIZED' });
    expect(await services.buckets.getByName(tenant.accountId, 'kept')).toBeDefined();
  });

  it('cannot reach a bucket of another account', async () => {
    // prepare
    const other = await createTestTenant(services);

    // act
    const response = await removeBucket(other.bucket.name);

    // assess
    expectQuantumError(response, { status: 404, message: 'BUCKET_DNE' });
    expect(await services.buckets.get(other.bucket.bucketUuid)).toBeDefined();
  });
});

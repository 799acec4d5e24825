/**
 * A bucket's upload policy on the Quantum surface (issue 21): set with `POST /bucket/policy/<bucket>`, checked on
 * `file/add`'s bytes (400 POLICY_VIOLATION, `data` naming the file and the limit in bytes, nothing stored), and on
 * the bytes a Quantum user sends through the presigned route when they arrive (status 107, nothing charged).
 */
import { describe, expect } from 'vitest';
import { handler as bucketPolicy } from '../../../functions/quantum/bucket-policy/handler';
import type { Services } from '../../../lib/app/services';
import { expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestBucket, type TestTenant } from '../../support/services';
import { call, deliverEvents, objectKeyOf, putBytes } from '../apillon/helpers';
import { addFiles, routeEvent, snapshot } from './support';

const it = tenantTest({ quotaBytes: 1_000_000 });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const setPolicy = (bucket: string, body: object, headers = tenant.headers.master) =>
  invoke(bucketPolicy, routeEvent({ method: 'POST', route: '/API/bucket/policy/{bucket}', params: { bucket }, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }));

describe('POST /bucket/policy/<bucket>', () => {
  it('sets the rules, answers the policy in force, and needs the master key', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId, { public: false });

    // act
    const set = await setPolicy(bucket.name, { max_file_size: 10, allowed_content_types: ['text/*'] });
    const cleared = await setPolicy(bucket.name, { allowed_content_types: null });
    const withApiKey = await setPolicy(bucket.name, { max_file_size: 1 }, tenant.headers.basic);
    const bad = await setPolicy(bucket.name, { max_file_size: 'ten' });
    const overMax = await setPolicy(bucket.name, { max_file_size: 6 * 1024 ** 4 });
    const badType = await setPolicy(bucket.name, { allowed_content_types: ['text/plain', 'no type'] });
    const unknown = await setPolicy(bucket.name, { maxFileSize: 10 });
    const after = await setPolicy(bucket.name, {});

    // assess
    expectQuantumSuccess(set);
    expect(set.body.data).toEqual({ max_file_size: 10, allowed_content_types: ['text/*'] });
    expect(cleared.body.data).toEqual({ max_file_size: 10, allowed_content_types: null });
    expect({ status: withApiKey.statusCode, message: withApiKey.body.message }).toEqual({ status: 403, message: 'UNAUTHORIZED' });
    expect({ status: bad.statusCode, message: bad.body.message }).toEqual({ status: 400, message: 'INVALID_REQUEST' });
    // Each refusal names the offending field (the body's own key), and the bound where one applies; nothing changed.
    expect(bad.body.data).toEqual({ errors: [{ property: 'max_file_size', message: 'MAX_FILE_SIZE_NOT_VALID' }] });
    expect(overMax.body.data).toEqual({ errors: [{ property: 'max_file_size', message: 'MAX_FILE_SIZE_NOT_VALID', maximum: 5 * 1024 ** 4 }] });
    expect(badType.body.data).toEqual({ errors: [{ property: 'allowed_content_types.1', message: 'ALLOWED_CONTENT_TYPES_NOT_VALID' }] });
    expect(unknown.body.data).toEqual({ errors: [{ property: 'maxFileSize', message: 'PARAMETER_NOT_SUPPORTED' }] });
    expect(after.body.data).toEqual({ max_file_size: 10, allowed_content_types: null });
  });
});

describe('file/add under a policy', () => {
  it('refuses a file over max_file_size or of a type not allowed, naming the file and the limit; nothing stored', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId, { public: false });
    await setPolicy(bucket.name, { max_file_size: 10, allowed_content_types: ['text/*'] });
    const before = await snapshot(services, bucket);

    // act
    const tooBig = await addFiles(tenant.headers.master, bucket.name, 'docs', [
      { name: 'ok.txt', content: 'short', type: 'text/plain' },
      { name: 'long.txt', content: 'eleven byte', type: 'text/plain' },
    ]);
    const wrongType = await addFiles(tenant.headers.master, bucket.name, 'docs', [{ name: 'x.bin', content: 'abc', type: 'application/octet-stream' }]);
    const afterRefusals = await snapshot(services, bucket);
    const allowed = await addFiles(tenant.headers.master, bucket.name, 'docs', [{ name: 'ok.txt', content: 'ten bytes!', type: 'text/plain' }]);

    // assess
    expect({ status: tooBig.statusCode, message: tooBig.body.message }).toEqual({ status: 400, message: 'POLICY_VIOLATION' });
    expect(tooBig.body.data).toMatchObject({ fileName: 'long.txt', rule: 'maxFileSize', maxFileSize: 10, limitBytes: 10, reason: 'FILE_TOO_LARGE: "long.txt" is 11 bytes; this bucket takes files of at most 10 bytes' });
    expect(wrongType.body.data).toMatchObject({ fileName: 'x.bin', rule: 'allowedContentTypes', allowedContentTypes: ['text/*'] });
    expect(afterRefusals).toEqual(before);
    expectQuantumSuccess(allowed);
  });

  it('refuses, when they arrive, bytes a Quantum user sent through the presigned route over the limit (status 107)', async () => {
    // prepare: the bucket's uuid, as a Quantum user reads it from the Apillon bucket list with the master key
    const bucket = await createTestBucket(services, tenant.accountId, { public: false });
    await setPolicy(bucket.name, { max_file_size: 10 });
    const requested = await call('sessionUpload', { params: { bucketUuid: bucket.bucketUuid }, headers: { ...tenant.headers.master, 'content-type': 'application/json' }, body: { files: [{ fileName: 'big.txt' }] } });
    const [{ url, fileUuid }] = requested.body.data.files;
    await putBytes(url, 'more than ten bytes');

    // act
    await deliverEvents(services, [objectKeyOf(url)]);

    // assess
    const detail = await call('fileDetail', { params: { bucketUuid: bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.master });
    expect(detail.body.data.fileStatus).toBe(107);
    expect(detail.body.data.file.rejectionReason).toContain('at most 10 bytes');
    expect((await services.buckets.get(bucket.bucketUuid))!.sizeBytes).toBe(0);
  });
});

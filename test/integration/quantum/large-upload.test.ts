/**
 * The Quantum surface's route for large files (issue 21): `/upload/create` → `/upload/parts` (60 s UploadPart URLs)
 * → parts PUT to S3 (s3rver, with lib/local/s3rver-multipart.ts) → `/upload/list` (resume) → `/upload/complete` →
 * the object's event → status 4, then `file/get` + `file/download` give the same bytes; and abort, force, a token
 * of another bucket, the quota. Handlers invoked with API Gateway v2 events; storage is the emulators'.
 */
import { describe, expect } from 'vitest';
import { handler as uploadAbort } from '../../../functions/quantum/upload-abort/handler';
import { handler as uploadComplete } from '../../../functions/quantum/upload-complete/handler';
import { handler as uploadCreate } from '../../../functions/quantum/upload-create/handler';
import { handler as uploadList } from '../../../functions/quantum/upload-list/handler';
import { handler as uploadParts } from '../../../functions/quantum/upload-parts/handler';
import type { Services } from '../../../lib/app/services';
import { FileStatus, type FileRecord } from '../../../lib/core/model/entries';
import { expectQuantumSuccess } from '../../support/envelopes';
import { invoke, type InvokeResult } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestApplicationToken, createTestBucket, createTestTenant } from '../../support/services';
import { deliverEvents, prngBytes } from '../apillon/helpers';
import { addFiles, download, fileToken, routeEvent, snapshot } from './support';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

const MIB = 1024 * 1024;
const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

/** The five routes for one bucket, with one credential. */
function routes(headers: Record<string, string>, bucket: string) {
  const post = (handler: typeof uploadParts, route: string, params: Record<string, string>, body?: object) =>
    invoke(handler, routeEvent({ method: 'POST', route, params, headers: json(headers), body: body === undefined ? undefined : JSON.stringify(body) }));
  return {
    create: (location: string, body: object) => post(uploadCreate, '/upload/create/{bucket}/{location+}', { bucket, location }, body),
    parts: (upload: string, partNumbers: unknown) => post(uploadParts, '/upload/parts/{bucket}/{upload}', { bucket, upload }, { part_numbers: partNumbers }),
    list: (upload: string) => invoke(uploadList, routeEvent({ method: 'GET', route: '/upload/list/{bucket}/{upload}', params: { bucket, upload }, headers })),
    complete: (upload: string, parts: unknown) => post(uploadComplete, '/upload/complete/{bucket}/{upload}', { bucket, upload }, { parts }),
    abort: (upload: string) => post(uploadAbort, '/upload/abort/{bucket}/{upload}', { bucket, upload }),
  };
}

/** PUTs `bytes` to a part URL as a client does (no credentials); resolves with S3's ETag of the part. */
async function putPart(url: string, bytes: Uint8Array): Promise<string> {
  const response = await fetch(url, { method: 'PUT', body: bytes });
  if (!response.ok) throw new Error(`part PUT failed: ${response.status} ${await response.text()}`);
  return response.headers.get('etag')!;
}

/** A Quantum error answer: its HTTP status and code. */
function refusal(response: InvokeResult): { status: number; message: string } {
  return { status: response.statusCode, message: response.body?.message };
}

async function fileOf(uploadId: string): Promise<FileRecord> {
  return (await services.entries.get(uploadId)) as FileRecord;
}

/** Uploads `bytes` through the routes in parts of the plan; resolves with the upload id once the event has run. */
async function uploadWhole(q: ReturnType<typeof routes>, location: string, bytes: Uint8Array, extra: object = {}): Promise<string> {
  const created = await q.create(location, { size: bytes.byteLength, ...extra });
  if (created.statusCode !== 200) throw new Error(`create: ${created.statusCode} ${created.rawBody}`);
  const { upload_id: uploadId, part_size: partSize, part_count: partCount } = created.body.data;
  const numbers = Array.from({ length: partCount }, (_, index) => index + 1);
  const { parts } = (await q.parts(uploadId, numbers)).body.data;
  const etags = await Promise.all(parts.map((part: { part_number: number; url: string }) => putPart(part.url, bytes.subarray((part.part_number - 1) * partSize, part.part_number * partSize))));
  const completed = await q.complete(uploadId, numbers.map((number, index) => ({ part_number: number, etag: etags[index] })));
  if (completed.statusCode !== 200) throw new Error(`complete: ${completed.statusCode} ${completed.rawBody}`);
  await deliverEvents(services, [`uploads/${(await fileOf(uploadId)).bucketUuid}/${uploadId}`]);
  return uploadId;
}

describe('a Quantum large-file upload', () => {
  // 5 MiB hashed by the service: a few seconds on a quiet 2-core machine, more under load.
  it('goes up in 2 parts, resumes from the parts S3 holds, reaches status 4, and downloads as the same bytes', { timeout: 60_000 }, async ({ tenant }) => {
    // prepare: a file of 2 parts (5 MiB + 10 KiB), with an application token of its bucket
    const q = routes(tenant.headers.application, tenant.bucket.name);
    const bytes = prngBytes(5 * MIB + 10 * 1024, 31);

    // act: create, part 1, "crash", list, part 2, complete, the object's event, then get + download
    const created = await q.create('films/2024/big.bin', { size: bytes.byteLength, content_type: 'application/x-film' });
    const { upload_id: uploadId, part_size: partSize, part_count: partCount } = created.body.data;
    const first = await q.parts(uploadId, [1]);
    const eTag1 = await putPart(first.body.data.parts[0].url, bytes.subarray(0, partSize));
    const resumed = await q.list(uploadId);
    const eTag2 = await putPart((await q.parts(uploadId, [2])).body.data.parts[0].url, bytes.subarray(partSize));
    const completed = await q.complete(uploadId, [
      { part_number: 1, etag: eTag1 },
      { part_number: 2, etag: eTag2 },
    ]);
    await deliverEvents(services, [`uploads/${tenant.bucket.bucketUuid}/${uploadId}`]);
    const token = await fileToken(tenant.headers.application, tenant.bucket.name, 'films/2024/big.bin');
    const answer = await download(token);
    const fetched = await fetch(answer.headers!.location as string);

    // assess
    expectQuantumSuccess(created);
    expect(created.body.data).toEqual({ upload_id: uploadId, part_size: 5 * MIB, part_count: 2, path: 'films/2024/big.bin' });
    expect(partCount).toBe(2);
    expect(new URL(first.body.data.parts[0].url).searchParams.get('X-Amz-Expires')).toBe('60');
    expectQuantumSuccess(resumed);
    expect(resumed.body.data).toEqual({ parts: [{ part_number: 1, size: 5 * MIB, etag: eTag1 }] });
    expectQuantumSuccess(completed);
    expect(completed.body.data).toEqual({ path: 'films/2024/big.bin' });
    const file = await fileOf(uploadId);
    expect({ status: file.fileStatus, size: file.size, contentType: file.contentType }).toEqual({ status: FileStatus.REPLICATED, size: bytes.byteLength, contentType: 'application/x-film' });
    expect(answer.statusCode).toBe(302);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    // The upload is no longer open.
    expect(refusal(await q.list(uploadId))).toEqual({ status: 404, message: 'UPLOAD_DNE' });
  });

  it('is aborted: parts gone, the listing 404 UPLOAD_DNE, nothing stored nor charged', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const created = await q.create('gone.bin', { size: 6 * MIB });
    const uploadId = created.body.data.upload_id as string;
    await putPart((await q.parts(uploadId, [1])).body.data.parts[0].url, prngBytes(5 * MIB, 3));
    const before = await snapshot(services, owner.bucket);

    // act
    const aborted = await q.abort(uploadId);

    // assess
    expectQuantumSuccess(aborted);
    expect(aborted.body).toEqual({ status: 'success', message: 'Upload aborted' });
    expect(refusal(await q.list(uploadId))).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect(refusal(await q.parts(uploadId, [2]))).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect(refusal(await q.abort(uploadId))).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect((await fileOf(uploadId)).fileStatus).toBe(FileStatus.ERROR_UPLOAD_CANCELLED);
    expect(await services.multipart.listOpen(`uploads/${owner.bucket.bucketUuid}/`, new Date(Date.now() + 60_000).toISOString(), 10)).toEqual([]);
    expect(await snapshot(services, owner.bucket)).toEqual(before);
  });

  it('takes force as file/add does: a file already there is 400 FILE_ALREADY_EXISTS without it, replaced with it', async () => {
    // prepare: a file at the location, through file/add
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    await addFiles(owner.headers.master, owner.bucket.name, 'docs', [{ name: 'a.txt', content: 'old' }]);
    const bytes = prngBytes(1000, 7);

    // act
    const refused = await q.create('docs/a.txt', { size: bytes.byteLength });
    const forcedFalse = await q.create('docs/a.txt', { size: bytes.byteLength, force: false });
    const replacedId = await uploadWhole(q, 'docs/a.txt', bytes, { force: true });

    // assess
    expect(refusal(refused)).toEqual({ status: 400, message: 'FILE_ALREADY_EXISTS' });
    expect(refusal(forcedFalse)).toEqual({ status: 400, message: 'FILE_ALREADY_EXISTS' });
    const replaced = await fileOf(replacedId);
    expect({ status: replaced.fileStatus, path: replaced.path, size: replaced.size }).toEqual({ status: FileStatus.REPLICATED, path: 'docs/a.txt', size: 1000 });
    const fetched = await download(await fileToken(owner.headers.master, owner.bucket.name, 'docs/a.txt'));
    expect(Buffer.from(fetched.body!, fetched.isBase64Encoded ? 'base64' : 'utf8').equals(Buffer.from(bytes))).toBe(true);
    expect((await services.accounts.getAccount(owner.accountId))!.usedBytes).toBe(1000);
  });

  it('answers 400 INVALID_DIR to a location under a file (a folder cannot be made where a file is), and makes nothing', async () => {
    // prepare: a file docs/a.txt
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    await addFiles(owner.headers.master, owner.bucket.name, 'docs', [{ name: 'a.txt', content: 'a file' }]);
    const before = await snapshot(services, owner.bucket);

    // act
    const refused = await q.create('docs/a.txt/inner.bin', { size: 1000 });

    // assess
    expect(refusal(refused)).toEqual({ status: 400, message: 'INVALID_DIR' });
    expect(await snapshot(services, owner.bucket)).toEqual(before);
  });

  it('answers 400 INVALID_BUCKET to a token of another bucket, on every route, and changes nothing', async () => {
    // prepare: an upload in the tenant's bucket; a second bucket of the same account with its own token
    const owner = await createTestTenant(services);
    const other = await createTestBucket(services, owner.accountId, { public: false });
    const otherToken = { 'x-api-akey': await createTestApplicationToken(services, owner.accountId, other.bucketUuid) };
    const uploadId = (await routes(owner.headers.master, owner.bucket.name).create('x.bin', { size: 10 })).body.data.upload_id as string;
    const before = await snapshot(services, owner.bucket);
    const q = routes(otherToken, owner.bucket.name);

    // act
    const answers = [await q.create('y.bin', { size: 10 }), await q.parts(uploadId, [1]), await q.list(uploadId), await q.complete(uploadId, [{ part_number: 1, etag: '"x"' }]), await q.abort(uploadId)];
    // The other bucket's own token names its own bucket but not this upload: 404.
    const viaOwnBucket = await routes(otherToken, other.name).parts(uploadId, [1]);

    // assess
    expect(answers.map(refusal)).toEqual(Array(5).fill({ status: 400, message: 'INVALID_BUCKET' }));
    expect(refusal(viaOwnBucket)).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect((await fileOf(uploadId)).fileStatus).toBe(FileStatus.REQUESTED);
    expect(await snapshot(services, owner.bucket)).toEqual(before);
  });

  it('names the field and the bound of a bad part number, too many part URLs, or a size over 5 TiB (400 INVALID_REQUEST)', async () => {
    // prepare: an upload of 3 parts
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const uploadId = (await q.create('p.bin', { size: 11 * MIB })).body.data.upload_id as string;

    // act
    const outside = await q.parts(uploadId, [4]);
    const many = await q.parts(uploadId, Array.from({ length: 101 }, () => 1));
    const huge = await q.create('huge.bin', { size: 5 * 1024 ** 4 + 1 });
    const unknown = await q.create('u.bin', { size: 1, contentType: 'text/plain' });

    // assess
    expect(refusal(outside)).toEqual({ status: 400, message: 'INVALID_REQUEST' });
    expect(outside.body.data).toEqual({ errors: [{ property: 'part_numbers.0', message: 'PART_NUMBER_NOT_VALID: parts are 1 to 3', minimum: 1, maximum: 3 }] });
    expect(many.body.data).toEqual({ errors: [{ property: 'part_numbers', message: 'TOO_MANY_PART_NUMBERS', maximum: 100 }] });
    expect(huge.body.data).toEqual({ errors: [{ property: 'size', message: 'FILE_SIZE_NOT_VALID', maximum: 5 * 1024 ** 4 }] });
    expect(unknown.body.data).toEqual({ errors: [{ property: 'contentType', message: 'PARAMETER_NOT_SUPPORTED' }] });
  });

  it('checks the bucket’s upload policy on the declared size and type at create (400 POLICY_VIOLATION naming the limit)', async () => {
    // prepare
    const owner = await createTestTenant(services);
    await services.bucketPolicies.setUploadPolicy(owner.bucket.bucketUuid, { maxFileSize: 6 * MIB, allowedContentTypes: ['video/*'] }, new Date().toISOString());
    const q = routes(owner.headers.master, owner.bucket.name);
    const before = await snapshot(services, owner.bucket);

    // act
    const tooBig = await q.create('big.mp4', { size: 6 * MIB + 1 });
    const wrongType = await q.create('notes.txt', { size: 10 });

    // assess
    expect(refusal(tooBig)).toEqual({ status: 400, message: 'POLICY_VIOLATION' });
    expect(tooBig.body.data).toMatchObject({ fileName: 'big.mp4', rule: 'maxFileSize', limitBytes: 6 * MIB, reason: `FILE_TOO_LARGE: "big.mp4" is ${6 * MIB + 1} bytes; this bucket takes files of at most ${6 * MIB} bytes` });
    expect(wrongType.body.data).toMatchObject({ fileName: 'notes.txt', rule: 'allowedContentTypes', allowedContentTypes: ['video/*'] });
    expect(await snapshot(services, owner.bucket)).toEqual(before);
  });

  it('refuses a file over the quota at create (400 INSUFFICIENT_SPACE naming the limit), before any upload is made', async () => {
    // prepare
    const owner = await createTestTenant(services, { quotaBytes: 6 * MIB });
    const q = routes(owner.headers.master, owner.bucket.name);
    const before = await snapshot(services, owner.bucket);

    // act
    const over = await q.create('huge.bin', { size: 6 * MIB + 1 });
    const bad = await q.create('neg.bin', { size: -1 });

    // assess
    expect(refusal(over)).toEqual({ status: 400, message: 'INSUFFICIENT_SPACE' });
    expect(over.body.data).toMatchObject({ limitBytes: 6 * MIB, usedBytes: 0, requestedBytes: 6 * MIB + 1 });
    expect(refusal(bad)).toEqual({ status: 400, message: 'INVALID_REQUEST' });
    expect(bad.body.data.errors).toEqual([{ property: 'size', message: 'FILE_SIZE_NOT_VALID', minimum: 0 }]);
    expect(await snapshot(services, owner.bucket)).toEqual(before);
    expect(await services.multipart.listOpen(`uploads/${owner.bucket.bucketUuid}/`, new Date(Date.now() + 60_000).toISOString(), 10)).toEqual([]);
  });
});

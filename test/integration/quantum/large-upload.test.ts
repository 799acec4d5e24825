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
import { call, deliverEvents, prngBytes } from '../apillon/helpers';
import { addFiles, download, fileToken, quantum, routeEvent, snapshot } from './support';
import { abortStaleMultipartUploads } from '../../../lib/core/upload/multipart';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';

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
    const beforeCommit = await q.list(uploadId);
    const abortBeforeCommit = await q.abort(uploadId);
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
    // Between complete and the commit the upload is no longer open, and says so (status 1, completed at …); an abort
    // then changes nothing.
    for (const answer of [beforeCommit, abortBeforeCommit]) {
      expect(refusal(answer)).toEqual({ status: 404, message: 'UPLOAD_DNE' });
      expect(answer.body.data).toEqual({ uploadId, fileStatus: FileStatus.REQUESTED, completingAt: expect.any(String) });
    }
    // After the commit: what became of it.
    const after = await q.list(uploadId);
    expect(refusal(after)).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect(after.body.data).toEqual({ uploadId, fileStatus: FileStatus.REPLICATED });
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
    expect((await q.list(uploadId)).body.data).toEqual({ uploadId, fileStatus: FileStatus.ERROR_UPLOAD_CANCELLED });
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

/** The account's and the bucket's usage and reservations (bytes). */
async function figures(owner: { accountId: string; bucket: { bucketUuid: string } }): Promise<{ used: number; reserved: number; bucketSize: number; bucketReserved: number }> {
  const [account, bucket] = await Promise.all([services.accounts.getAccount(owner.accountId), services.buckets.get(owner.bucket.bucketUuid)]);
  return { used: account!.usedBytes, reserved: account!.reservedBytes ?? 0, bucketSize: bucket!.sizeBytes, bucketReserved: bucket!.reservedBytes ?? 0 };
}

/** Uploads every part of `bytes` to an open upload; resolves with the parts as complete takes them. */
async function sendParts(q: ReturnType<typeof routes>, uploadId: string, bytes: Uint8Array, partSize: number, partCount: number): Promise<{ part_number: number; etag: string }[]> {
  const numbers = Array.from({ length: partCount }, (_, index) => index + 1);
  const { parts } = (await q.parts(uploadId, numbers)).body.data;
  const etags = await Promise.all(parts.map((part: { part_number: number; url: string }) => putPart(part.url, bytes.subarray((part.part_number - 1) * partSize, part.part_number * partSize))));
  return numbers.map((number, index) => ({ part_number: number, etag: etags[index] }));
}

describe('an open Quantum upload claims its path (issue 21)', () => {
  it('of five concurrent creates at one path without force exactly one is 200; the others 400 FILE_ALREADY_EXISTS naming it; its abort frees the path', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);

    // act
    const answers = await Promise.all(Array.from({ length: 5 }, () => q.create('same/place.bin', { size: 1000 })));
    const winners = answers.filter((answer) => answer.statusCode === 200);
    const winnerId = winners[0]?.body.data.upload_id as string;
    const whileOpen = await addFiles(owner.headers.master, owner.bucket.name, 'same', [{ name: 'place.bin', content: 'small' }]);
    const aborted = await q.abort(winnerId);
    const afterAbort = await q.create('same/place.bin', { size: 1000 });

    // assess
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.statusCode !== 200)) {
      expect(refusal(loser)).toEqual({ status: 400, message: 'FILE_ALREADY_EXISTS' });
      expect(loser.body.data).toMatchObject({ openUploadId: winnerId });
    }
    expect(refusal(whileOpen)).toEqual({ status: 400, message: 'FILE_ALREADY_EXISTS' });
    expect(whileOpen.body.data).toMatchObject({ openUploadId: winnerId });
    expectQuantumSuccess(aborted);
    expectQuantumSuccess(afterAbort);
  });

  it('with force the later create supersedes the open one: its complete is 409 UPLOAD_SUPERSEDED naming the later, which alone is stored and charged', { timeout: 30_000 }, async () => {
    // prepare: upload A with all its parts sent, then B with force at the same path
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const first = prngBytes(3000, 41);
    const second = prngBytes(2000, 42);
    const a = (await q.create('doc/report.bin', { size: first.byteLength })).body.data;
    const aParts = await sendParts(q, a.upload_id, first, a.part_size, a.part_count);

    // act
    const b = await q.create('doc/report.bin', { size: second.byteLength, force: true });
    if (b.statusCode !== 200) throw new Error(`create B: ${b.statusCode} ${b.rawBody}`);
    const whileBOpen = await figures(owner);
    const completedA = await q.complete(a.upload_id, aParts);
    const listedA = await q.list(a.upload_id);
    const partsA = await q.parts(a.upload_id, [1]);
    const abortedA = await q.abort(a.upload_id);
    const bId = b.body.data.upload_id as string;
    const bParts = await sendParts(q, bId, second, b.body.data.part_size, b.body.data.part_count);
    const completedB = await q.complete(bId, bParts);
    await deliverEvents(services, [`uploads/${owner.bucket.bucketUuid}/${bId}`, `uploads/${owner.bucket.bucketUuid}/${a.upload_id}`]);
    const fetched = await download(await fileToken(owner.headers.master, owner.bucket.name, 'doc/report.bin'));

    // assess
    expectQuantumSuccess(b);
    expect(whileBOpen).toEqual({ used: 0, reserved: 2000, bucketSize: 0, bucketReserved: 2000 });
    expect(refusal(completedA)).toEqual({ status: 409, message: 'UPLOAD_SUPERSEDED' });
    expect(completedA.body.data).toMatchObject({ uploadId: a.upload_id, supersededBy: bId });
    for (const refused of [listedA, partsA, abortedA]) expect(refusal(refused)).toEqual({ status: 409, message: 'UPLOAD_SUPERSEDED' });
    const fileA = await fileOf(a.upload_id);
    expect({ status: fileA.fileStatus, supersededBy: fileA.supersededBy }).toEqual({ status: FileStatus.ERROR_UPLOAD_CANCELLED, supersededBy: bId });
    expect(fileA.rejectionReason).toContain('MULTIPART_UPLOAD_SUPERSEDED');
    expectQuantumSuccess(completedB);
    expect((await fileOf(bId)).fileStatus).toBe(FileStatus.REPLICATED);
    expect(Buffer.from(fetched.body!, fetched.isBase64Encoded ? 'base64' : 'utf8').equals(Buffer.from(second))).toBe(true);
    expect(await figures(owner)).toEqual({ used: 2000, reserved: 0, bucketSize: 2000, bucketReserved: 0 });
  });

  it('a completing upload is not superseded at create; the later forced upload still wins: the earlier is superseded at its commit, its detail says so', { timeout: 30_000 }, async () => {
    // prepare: A completed in S3, its event not yet delivered
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const first = prngBytes(1500, 43);
    const second = prngBytes(2500, 44);
    const a = (await q.create('x.bin', { size: first.byteLength })).body.data;
    const completedA = await q.complete(a.upload_id, await sendParts(q, a.upload_id, first, a.part_size, a.part_count));

    // act: B with force (created, completed and committed), then A's event
    const bId = await uploadWhole(q, 'x.bin', second, { force: true });
    await deliverEvents(services, [`uploads/${owner.bucket.bucketUuid}/${a.upload_id}`]);
    const fetched = await download(await fileToken(owner.headers.master, owner.bucket.name, 'x.bin'));

    // assess
    expectQuantumSuccess(completedA);
    const fileA = await fileOf(a.upload_id);
    expect({ status: fileA.fileStatus, supersededBy: fileA.supersededBy }).toEqual({ status: FileStatus.ERROR_UPLOAD_CANCELLED, supersededBy: bId });
    expect(fileA.rejectionReason).toContain('MULTIPART_UPLOAD_SUPERSEDED');
    expect((await fileOf(bId)).fileStatus).toBe(FileStatus.REPLICATED);
    expect(Buffer.from(fetched.body!, fetched.isBase64Encoded ? 'base64' : 'utf8').equals(Buffer.from(second))).toBe(true);
    expect(await figures(owner)).toEqual({ used: second.byteLength, reserved: 0, bucketSize: second.byteLength, bucketReserved: 0 });
  });
});

describe('an open Quantum upload reserves its space (issue 21)', () => {
  it('of two concurrent creates whose sizes together pass the quota exactly one is admitted; abort gives the reservation back', async () => {
    // prepare: a quota of 10 MiB, two uploads of 6 MiB
    const owner = await createTestTenant(services, { quotaBytes: 10 * MIB });
    const q = routes(owner.headers.master, owner.bucket.name);

    // act
    const answers = await Promise.all([q.create('one.bin', { size: 6 * MIB }), q.create('two.bin', { size: 6 * MIB }), q.create('three.bin', { size: 6 * MIB })]);
    const admitted = answers.filter((answer) => answer.statusCode === 200);
    const reservedWhileOpen = await figures(owner);
    const quotaWhileOpen = await invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers: owner.headers.master }));
    const infoWhileOpen = await call('info', { headers: owner.headers.basic });
    const aborted = await q.abort(admitted[0]!.body.data.upload_id);
    const afterAbort = await figures(owner);
    const again = await q.create('four.bin', { size: 6 * MIB });

    // assess
    expect(admitted).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.statusCode !== 200)) {
      expect(refusal(refused)).toEqual({ status: 400, message: 'INSUFFICIENT_SPACE' });
      expect(refused.body.data).toMatchObject({ limitBytes: 10 * MIB, usedBytes: 0, reservedBytes: 6 * MIB, requestedBytes: 6 * MIB, availableBytes: 4 * MIB });
    }
    expect(reservedWhileOpen).toEqual({ used: 0, reserved: 6 * MIB, bucketSize: 0, bucketReserved: 6 * MIB });
    // What either surface reports free is what admission decides on: the quota less the used and the reserved bytes.
    expect(quotaWhileOpen.body.data.space_left).toBe(4 * MIB);
    expect(infoWhileOpen.body.data).toMatchObject({ availableStorage: 4 * MIB, usedStorage: 0, totalStorage: 10 * MIB });
    expectQuantumSuccess(aborted);
    expect(afterAbort).toEqual({ used: 0, reserved: 0, bucketSize: 0, bucketReserved: 0 });
    expectQuantumSuccess(again);
  });

  it('is settled on the real size at commit: while open it counts against the quota, after it usage equals the bytes stored and nothing stays reserved', async () => {
    // prepare: a quota of 10,000 bytes, an upload of 4,321 open
    const owner = await createTestTenant(services, { quotaBytes: 10_000 });
    const q = routes(owner.headers.master, owner.bucket.name);
    const bytes = prngBytes(4321, 45);
    const created = (await q.create('settled.bin', { size: bytes.byteLength })).body.data;
    const parts = await sendParts(q, created.upload_id, bytes, created.part_size, created.part_count);

    // act: an add that fits only without the reservation, then the commit, then the same add
    const whileOpen = await figures(owner);
    const refused = await addFiles(owner.headers.master, owner.bucket.name, undefined, [{ name: 'beside.txt', content: 'x'.repeat(6000) }]);
    expectQuantumSuccess(await q.complete(created.upload_id, parts));
    await deliverEvents(services, [`uploads/${owner.bucket.bucketUuid}/${created.upload_id}`]);
    const settled = await figures(owner);
    const added = await addFiles(owner.headers.master, owner.bucket.name, undefined, [{ name: 'beside.txt', content: 'x'.repeat(5000) }]);

    // assess
    expect(whileOpen).toEqual({ used: 0, reserved: 4321, bucketSize: 0, bucketReserved: 4321 });
    expect(refusal(refused)).toEqual({ status: 400, message: 'INSUFFICIENT_SPACE' });
    expect(refused.body.data).toMatchObject({ limitBytes: 10_000, usedBytes: 0, reservedBytes: 4321, requestedBytes: 6000 });
    expect((await fileOf(created.upload_id)).fileStatus).toBe(FileStatus.REPLICATED);
    expect(settled).toEqual({ used: 4321, reserved: 0, bucketSize: 4321, bucketReserved: 0 });
    expectQuantumSuccess(added);
    expect(await figures(owner)).toEqual({ used: 4321 + 5000, reserved: 0, bucketSize: 4321 + 5000, bucketReserved: 0 });
  });

  it('is given back when the lifecycle rejects the bytes on arrival (the policy changed meanwhile: 107)', async () => {
    // prepare: an upload created, then the bucket's policy lowered under its size
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const bytes = prngBytes(3000, 46);
    const created = (await q.create('refused.bin', { size: bytes.byteLength })).body.data;
    const parts = await sendParts(q, created.upload_id, bytes, created.part_size, created.part_count);
    await services.bucketPolicies.setUploadPolicy(owner.bucket.bucketUuid, { maxFileSize: 1000 }, new Date().toISOString());
    const whileOpen = await figures(owner);

    // act
    const completed = await q.complete(created.upload_id, parts);
    await deliverEvents(services, [`uploads/${owner.bucket.bucketUuid}/${created.upload_id}`]);

    // assess
    expect(whileOpen).toEqual({ used: 0, reserved: 3000, bucketSize: 0, bucketReserved: 3000 });
    expectQuantumSuccess(completed);
    expect((await fileOf(created.upload_id)).fileStatus).toBe(FileStatus.ERROR_POLICY_REFUSED);
    // What the Quantum client can read of it: the upload is gone, and its listing says why.
    const listed = await q.list(created.upload_id);
    expect(refusal(listed)).toEqual({ status: 404, message: 'UPLOAD_DNE' });
    expect(listed.body.data).toMatchObject({ uploadId: created.upload_id, fileStatus: FileStatus.ERROR_POLICY_REFUSED });
    expect(listed.body.data.reason).toContain('at most 1000 bytes');
    expect(await figures(owner)).toEqual({ used: 0, reserved: 0, bucketSize: 0, bucketReserved: 0 });
    // The path is free again.
    expectQuantumSuccess(await q.create('refused.bin', { size: 10 }));
  });

  it('is given back when the bucket is removed with the upload open', async () => {
    // prepare: a second bucket of the account with an open upload, beside one in the first bucket
    const owner = await createTestTenant(services);
    const other = await createTestBucket(services, owner.accountId, { public: false });
    await routes(owner.headers.master, owner.bucket.name).create('kept.bin', { size: 100 });
    await routes(owner.headers.master, other.name).create('gone.bin', { size: 900 });
    const before = (await services.accounts.getAccount(owner.accountId))!.reservedBytes;

    // act
    const removed = await invoke(quantum.bucketRemove, routeEvent({ method: 'POST', route: '/bucket/remove/{bucket}', params: { bucket: other.name }, headers: owner.headers.master }));

    // assess
    expectQuantumSuccess(removed);
    expect(before).toBe(1000);
    expect((await services.accounts.getAccount(owner.accountId))!.reservedBytes).toBe(100);
    expect(await services.buckets.get(other.bucketUuid)).toBeUndefined();
  });

  it('is given back by the sweeper once the upload is past its 7 days, also when S3 no longer lists it', async () => {
    // prepare: two open uploads; S3 forgets the second (as the bucket's AbortIncompleteMultipartUpload rule does on AWS)
    const owner = await createTestTenant(services);
    const q = routes(owner.headers.master, owner.bucket.name);
    const listed = (await q.create('stale-1.bin', { size: 700 })).body.data.upload_id as string;
    const forgotten = (await q.create('stale-2.bin', { size: 300 })).body.data.upload_id as string;
    await services.multipart.abort(`uploads/${owner.bucket.bucketUuid}/${forgotten}`, (await fileOf(forgotten)).multipart!.uploadId);
    const before = await figures(owner);
    const inEightDays = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000);

    // act: the sweep as its function runs it (the S3 listing, then the stranded files' index)
    await abortStaleMultipartUploads(services, inEightDays);
    const afterListing = await figures(owner);
    await sweepStrandedFiles(services, inEightDays);

    // assess
    expect(before).toMatchObject({ reserved: 1000, bucketReserved: 1000 });
    expect(afterListing).toMatchObject({ reserved: 300, bucketReserved: 300 });
    expect(await figures(owner)).toEqual({ used: 0, reserved: 0, bucketSize: 0, bucketReserved: 0 });
    expect([(await fileOf(listed)).fileStatus, (await fileOf(forgotten)).fileStatus]).toEqual([FileStatus.ERROR_UPLOAD_CANCELLED, FileStatus.ERROR_UPLOAD_CANCELLED]);
    // A second sweep gives nothing back twice.
    await abortStaleMultipartUploads(services, inEightDays);
    await sweepStrandedFiles(services, inEightDays);
    expect(await figures(owner)).toEqual({ used: 0, reserved: 0, bucketSize: 0, bucketReserved: 0 });
  });
});

/**
 * Multipart uploads on the Apillon surface (issue 21): create → part URLs → parts PUT to S3 (s3rver, with the
 * multipart operations lib/local/s3rver-multipart.ts adds) → list → complete → the object's event → status 4,
 * and abort. Handlers invoked with API Gateway v2 events; storage is the emulators'.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { abortStaleMultipartUploads } from '../../../lib/core/upload/multipart';
import type { Services } from '../../../lib/app/services';
import type { InvokeResult } from '../../support/events';
import { expectApillonSuccess } from '../../support/envelopes';
import { importerFileCids } from '../../support/file-cids';
import { tenantTest } from '../../support/fixtures';
import { createTestTenant, type TestTenant } from '../../support/services';
import { call, deliverEvents, prngBytes, tableSnapshot } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const MIB = 1024 * 1024;
const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

function routes(owner: TestTenant, sessionUuid: string) {
  const bucketUuid = owner.bucket.bucketUuid;
  const headers = json(owner.headers.basic);
  return {
    create: (body: object) => call('multipartCreate', { params: { bucketUuid, sessionUuid }, headers, body }),
    parts: (fileUuid: string, partNumbers: unknown) => call('multipartParts', { params: { bucketUuid, sessionUuid, fileUuid }, headers, body: { partNumbers } }),
    list: (fileUuid: string) => call('multipartList', { params: { bucketUuid, sessionUuid, fileUuid }, headers: owner.headers.basic }),
    complete: (fileUuid: string, parts: unknown) => call('multipartComplete', { params: { bucketUuid, sessionUuid, fileUuid }, headers, body: { parts } }),
    abort: (fileUuid: string) => call('multipartAbort', { params: { bucketUuid, sessionUuid, fileUuid }, headers: owner.headers.basic }),
    detail: (fileUuid: string) => call('fileDetail', { params: { bucketUuid, id: fileUuid }, headers: owner.headers.basic }),
    end: () => call('sessionEnd', { params: { bucketUuid, sessionUuid }, headers: { ...owner.headers.basic, 'content-type': 'application/json' }, body: '' }),
  };
}

/** PUTs `bytes` to a part URL as a client does (no credentials); resolves with S3's ETag of the part. */
async function putPart(url: string, bytes: Uint8Array): Promise<string> {
  const response = await fetch(url, { method: 'PUT', body: bytes });
  if (!response.ok) throw new Error(`part PUT failed: ${response.status} ${await response.text()}`);
  return response.headers.get('etag')!;
}

/** An Apillon error answer: its HTTP status and numeric code. */
function expectRefusal(response: InvokeResult, status: number, code: number): void {
  expect({ status: response.statusCode, code: response.body?.code }).toEqual({ status, code });
}

const uploadKey = (owner: TestTenant, fileUuid: string) => `uploads/${owner.bucket.bucketUuid}/${fileUuid}`;

async function usage(owner: TestTenant): Promise<{ account: number; bucket: number }> {
  const [account, bucket] = await Promise.all([services.accounts.getAccount(owner.accountId), services.buckets.get(owner.bucket.bucketUuid)]);
  return { account: account!.usedBytes, bucket: bucket!.sizeBytes };
}

describe('a multipart upload', () => {
  // 5 MiB hashed by the service and twice by the importer: 7–12 s on a quiet 2-core machine, over 20 s under load.
  it('is created with the service’s part plan, resumed from the parts S3 holds, and completed into a file at status 4 with the CID ipfs add gives', { timeout: 60_000 }, async () => {
    // prepare: a file of 2 parts (5 MiB + 100 KiB)
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const bytes = prngBytes(5 * MIB + 100 * 1024, 21);

    // act: create, upload part 1, "crash", list, upload part 2, complete, the object's event
    const created = await mp.create({ fileName: 'big.bin', path: 'videos', contentType: 'application/octet-stream', size: bytes.byteLength });
    expectApillonSuccess(created, 201);
    const { fileUuid, uploadId, partSize, partCount } = created.body.data;
    const first = await mp.parts(fileUuid, [1]);
    const eTag1 = await putPart(first.body.data.parts[0].url, bytes.subarray(0, partSize));
    const resumed = await mp.list(fileUuid);
    const second = await mp.parts(fileUuid, [2]);
    const eTag2 = await putPart(second.body.data.parts[0].url, bytes.subarray(partSize));
    const listed = await mp.list(fileUuid);
    const completed = await mp.complete(fileUuid, [
      { partNumber: 1, ETag: eTag1 },
      { partNumber: 2, ETag: eTag2 },
    ]);
    // A client whose 200 was lost completes again; one that aborts after completing must not lose the file.
    const completedAgain = await mp.complete(fileUuid, [
      { partNumber: 1, ETag: eTag1 },
      { partNumber: 2, ETag: eTag2 },
    ]);
    const abortedAfterComplete = await mp.abort(fileUuid);
    const beforeEvent = await usage(owner);
    await deliverEvents(services, [uploadKey(owner, fileUuid)]);
    const detail = await mp.detail(fileUuid);

    // assess
    expect(typeof uploadId).toBe('string');
    expect({ partSize, partCount }).toEqual({ partSize: 5 * MIB, partCount: 2 });
    expect(first.body.data.parts[0].partNumber).toBe(1);
    expect(new URL(first.body.data.parts[0].url).searchParams.get('X-Amz-Expires')).toBe('60');
    expect(resumed.body.data.parts).toEqual([{ partNumber: 1, size: 5 * MIB, ETag: eTag1 }]);
    expect(listed.body.data.parts.map((part: { partNumber: number; size: number }) => [part.partNumber, part.size])).toEqual([
      [1, 5 * MIB],
      [2, 100 * 1024],
    ]);
    expectApillonSuccess(completed, 200);
    expect(completed.body.data).toMatchObject({ fileUuid, fileStatus: 1 });
    expectApillonSuccess(completedAgain, 200);
    expect(completedAgain.body.data).toMatchObject({ fileUuid, fileStatus: 1 });
    expectRefusal(abortedAfterComplete, 404, 40406013);
    expect(beforeEvent).toEqual({ account: 0, bucket: 0 });
    const expected = await importerFileCids(() => [bytes]);
    expect(detail.body.data.fileStatus).toBe(4);
    expect(detail.body.data.file).toMatchObject({ name: 'big.bin', size: bytes.byteLength, CID: expected.cidV1, CIDv0: expected.cidV0, path: 'videos/' });
    expect(await usage(owner)).toEqual({ account: bytes.byteLength, bucket: bytes.byteLength });
    // The upload is gone from S3: the listing answers 404.
    expectRefusal(await mp.list(fileUuid), 404, 40406013);
  });

  it('is aborted: the file is cancelled (106), its parts gone, the listing 404, nothing charged', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const { fileUuid } = (await mp.create({ fileName: 'gone.bin', size: 6 * MIB })).body.data;
    const [{ url }] = (await mp.parts(fileUuid, [1])).body.data.parts;
    await putPart(url, prngBytes(5 * MIB, 3));

    // act
    const aborted = await mp.abort(fileUuid);

    // assess
    expectApillonSuccess(aborted, 200);
    expect(aborted.body.data).toMatchObject({ fileUuid, fileStatus: 106 });
    expectRefusal(await mp.list(fileUuid), 404, 40406013);
    expectRefusal(await mp.parts(fileUuid, [2]), 404, 40406013);
    expectRefusal(await mp.abort(fileUuid), 404, 40406013);
    expect((await mp.detail(fileUuid)).body.data.fileStatus).toBe(106);
    expect(await services.multipart.listOpen(`uploads/${owner.bucket.bucketUuid}/`, new Date(Date.now() + 60_000).toISOString(), 10)).toEqual([]);
    expect(await usage(owner)).toEqual({ account: 0, bucket: 0 });
  });

  it('stays open after its session ends, and commits when completed (the end neither waits nor refuses)', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const bytes = prngBytes(1000, 5);
    const { fileUuid } = (await mp.create({ fileName: 'late.txt', size: bytes.byteLength })).body.data;

    // act
    const ended = await mp.end();
    const [{ url }] = (await mp.parts(fileUuid, [1])).body.data.parts;
    const eTag = await putPart(url, bytes);
    const completed = await mp.complete(fileUuid, [{ partNumber: 1, ETag: eTag }]);
    await deliverEvents(services, [uploadKey(owner, fileUuid)]);

    // assess
    expectApillonSuccess(ended, 200);
    expectApillonSuccess(completed, 200);
    expect((await mp.detail(fileUuid)).body.data.fileStatus).toBe(4);
    expectRefusal(await mp.create({ fileName: 'after-end.txt', size: 1 }), 400, 40006001);
  });
});

describe('the sweeper', () => {
  it('aborts uploads open longer than 7 days and cancels their files, and leaves younger ones', async () => {
    // prepare: an upload with a part; "now" is 8 days later for the first sweep, the real now for the second
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const { fileUuid } = (await mp.create({ fileName: 'stale.bin', size: 6 * MIB })).body.data;
    await putPart((await mp.parts(fileUuid, [1])).body.data.parts[0].url, prngBytes(5 * MIB, 8));
    const prefix = `uploads/${owner.bucket.bucketUuid}/`;
    const later = new Date(Date.now() + 60_000);

    // act
    const today = await abortStaleMultipartUploads(services, new Date());
    const stillOpen = await services.multipart.listOpen(prefix, later.toISOString(), 10);
    const inEightDays = await abortStaleMultipartUploads(services, new Date(Date.now() + 8 * 24 * 60 * 60 * 1000));

    // assess
    expect(today).toBe(0);
    expect(stillOpen.map((upload) => upload.key)).toEqual([uploadKey(owner, fileUuid)]);
    expect(inEightDays).toBeGreaterThanOrEqual(1);
    expect(await services.multipart.listOpen(prefix, later.toISOString(), 10)).toEqual([]);
    expect((await mp.detail(fileUuid)).body.data.fileStatus).toBe(106);
    expectRefusal(await mp.list(fileUuid), 404, 40406013);
  });
});

describe('refused', () => {
  it('sizes over 5 TiB, part numbers outside the plan, more than 100 URLs a call (422, nothing stored)', async () => {
    // prepare
    const mp = routes(tenant, randomUUID());
    const { fileUuid } = (await mp.create({ fileName: 'p.bin', size: 11 * MIB })).body.data;
    const before = await tableSnapshot(services);

    // act
    const tooBig = await mp.create({ fileName: 'huge.bin', size: 5 * 1024 ** 4 + 1 });
    const noSize = await mp.create({ fileName: 'nosize.bin' });
    const outside = await mp.parts(fileUuid, [4]);
    const zero = await mp.parts(fileUuid, [0]);
    const many = await mp.parts(fileUuid, Array.from({ length: 101 }, () => 1));
    const none = await mp.parts(fileUuid, []);

    // assess
    expect(tooBig.statusCode).toBe(422);
    // Each limit is named (issue 21): the bound beside the unchanged message.
    expect(tooBig.body.errors[0]).toEqual({ code: 42200013, property: 'size', message: 'FILE_SIZE_NOT_VALID', maximum: 5 * 1024 ** 4 });
    expect(noSize.body.errors[0]).toMatchObject({ code: 42200013, property: 'size' });
    expect(outside.statusCode).toBe(422);
    expect(outside.body.errors[0]).toMatchObject({ code: 42200052, property: 'partNumbers.0', minimum: 1, maximum: 3 });
    expect(outside.body.errors[0].message).toContain('1 to 3');
    expect(zero.body.errors[0]).toMatchObject({ code: 42200052 });
    expect(many.body.errors[0]).toMatchObject({ code: 42200051, property: 'partNumbers', maximum: 100 });
    expect(none.body.errors[0]).toMatchObject({ code: 42200050 });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('a completion short of parts, with a wrong ETag, or with a small part that is not the last (422; the upload stays open)', async () => {
    // prepare: part 1 holds 1 byte (s3rver does not enforce the signed Content-Length, S3 does: EntityTooSmall either way)
    const mp = routes(tenant, randomUUID());
    const { fileUuid } = (await mp.create({ fileName: 'q.bin', size: 5 * MIB + 10 })).body.data;
    const urls = (await mp.parts(fileUuid, [1, 2])).body.data.parts;
    const eTag1 = await putPart(urls[0].url, new Uint8Array(1));
    const eTag2 = await putPart(urls[1].url, new Uint8Array(10));

    // act
    const short = await mp.complete(fileUuid, [{ partNumber: 1, ETag: eTag1 }]);
    const wrongETag = await mp.complete(fileUuid, [
      { partNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' },
      { partNumber: 2, ETag: eTag2 },
    ]);
    const tooSmall = await mp.complete(fileUuid, [
      { partNumber: 1, ETag: eTag1 },
      { partNumber: 2, ETag: eTag2 },
    ]);

    // assess
    expect(short.statusCode).toBe(422);
    expect(short.body.errors[0]).toMatchObject({ code: 42200053, property: 'parts.1' });
    expect(wrongETag.statusCode).toBe(422);
    expect(wrongETag.body.errors[0]).toMatchObject({ code: 42200054, message: 'PARTS_REFUSED: InvalidPart' });
    expect(tooSmall.body.errors[0]).toMatchObject({ code: 42200054, message: 'PARTS_REFUSED: EntityTooSmall' });
    expect((await mp.list(fileUuid)).body.data.parts).toHaveLength(2);
  });

  it('a file over the quota at create (40006003), before any upload is made', async () => {
    // prepare
    const owner = await createTestTenant(services, { quotaBytes: 10 * MIB });
    const mp = routes(owner, randomUUID());

    // act
    const refused = await mp.create({ fileName: 'over.bin', size: 10 * MIB + 1 });

    // assess
    expectRefusal(refused, 400, 40006003);
    expect(refused.body.details).toMatchObject({ limitBytes: 10 * MIB, usedBytes: 0, requestedBytes: 10 * MIB + 1 });
    expect(await services.multipart.listOpen(`uploads/${owner.bucket.bucketUuid}/`, new Date(Date.now() + 60_000).toISOString(), 10)).toEqual([]);
  });

  it('another bucket’s or session’s upload, and ids that are not uuids (404)', async () => {
    // prepare
    const sessionUuid = randomUUID();
    const mp = routes(tenant, sessionUuid);
    const { fileUuid } = (await mp.create({ fileName: 'mine.bin', size: 1 })).body.data;
    const stranger = await createTestTenant(services);

    // act + assess
    expectRefusal(await routes(tenant, randomUUID()).list(fileUuid), 404, 40406013);
    expectRefusal(await routes(stranger, sessionUuid).list(fileUuid), 404, 40406013);
    expectRefusal(await mp.list('not-a-uuid'), 404, 40406013);
    expectRefusal(await routes(tenant, 'not-a-uuid').create({ fileName: 'x', size: 1 }), 404, 40406004);
  });
});

/** Usage and reservations of the account and the bucket (bytes). */
async function figures(owner: TestTenant): Promise<{ used: number; reserved: number; bucketSize: number; bucketReserved: number }> {
  const [account, bucket] = await Promise.all([services.accounts.getAccount(owner.accountId), services.buckets.get(owner.bucket.bucketUuid)]);
  return { used: account!.usedBytes, reserved: account!.reservedBytes ?? 0, bucketSize: bucket!.sizeBytes, bucketReserved: bucket!.reservedBytes ?? 0 };
}

/** Sends every part of `bytes` to an open upload; resolves with the parts as complete takes them. */
async function sendParts(mp: ReturnType<typeof routes>, created: { fileUuid: string; partSize: number; partCount: number }, bytes: Uint8Array): Promise<{ partNumber: number; ETag: string }[]> {
  const numbers = Array.from({ length: created.partCount }, (_, index) => index + 1);
  const { parts } = (await mp.parts(created.fileUuid, numbers)).body.data;
  const eTags = await Promise.all(parts.map((part: { partNumber: number; url: string }) => putPart(part.url, bytes.subarray((part.partNumber - 1) * created.partSize, part.partNumber * created.partSize))));
  return numbers.map((partNumber, index) => ({ partNumber, ETag: eTags[index] }));
}

describe('a later upload to the path of an open one (issue 21; Apillon always overwrites)', () => {
  it('supersedes it: its complete is 409 MULTIPART_UPLOAD_SUPERSEDED naming the later, its detail says so, and only the later is stored and charged', { timeout: 30_000 }, async () => {
    // prepare: upload A with every part sent, then B at the same path (same session)
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const first = prngBytes(3000, 51);
    const second = prngBytes(2000, 52);
    const a = (await mp.create({ fileName: 'report.bin', path: 'docs', size: first.byteLength })).body.data;
    const aParts = await sendParts(mp, a, first);

    // act
    const b = await mp.create({ fileName: 'report.bin', path: 'docs', size: second.byteLength });
    const whileOpen = await figures(owner);
    const completedA = await mp.complete(a.fileUuid, aParts);
    const partsA = await mp.parts(a.fileUuid, [1]);
    const abortedA = await mp.abort(a.fileUuid);
    const completedB = await mp.complete(b.body.data.fileUuid, await sendParts(mp, b.body.data, second));
    await deliverEvents(services, [uploadKey(owner, b.body.data.fileUuid), uploadKey(owner, a.fileUuid)]);
    const detailA = await mp.detail(a.fileUuid);
    const detailB = await mp.detail(b.body.data.fileUuid);

    // assess
    expectApillonSuccess(b, 201);
    expect(whileOpen).toEqual({ used: 0, reserved: 2000, bucketSize: 0, bucketReserved: 2000 });
    for (const refused of [completedA, partsA, abortedA]) expectRefusal(refused, 409, 40906003);
    expect(completedA.body.details).toMatchObject({ uploadId: a.fileUuid, supersededBy: b.body.data.fileUuid });
    expect(completedA.body.message).toBe('MULTIPART_UPLOAD_SUPERSEDED');
    expect(detailA.body.data.fileStatus).toBe(106);
    expect(detailA.body.data.file).toMatchObject({ supersededBy: b.body.data.fileUuid });
    expect(detailA.body.data.file.rejectionReason).toContain('MULTIPART_UPLOAD_SUPERSEDED');
    expectApillonSuccess(completedB, 200);
    expect(detailB.body.data.fileStatus).toBe(4);
    expect(detailB.body.data.file).toMatchObject({ size: second.byteLength, path: 'docs/' });
    expect(await figures(owner)).toEqual({ used: 2000, reserved: 0, bucketSize: 2000, bucketReserved: 0 });
    // Its parts are gone from S3.
    expect((await services.multipart.listOpen(`uploads/${owner.bucket.bucketUuid}/`, new Date(Date.now() + 60_000).toISOString(), 10)).map((upload) => upload.key)).toEqual([]);
  });

  it('of several concurrent creates at one path exactly one stays open; the others are superseded, and nothing stays reserved for them', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());

    // act
    const answers = await Promise.all(Array.from({ length: 4 }, () => mp.create({ fileName: 'race.bin', size: 1000 })));
    const lists = await Promise.all(answers.map((answer) => mp.list(answer.body.data.fileUuid)));

    // assess: every create answered 201, one of them is open, the others 409 naming a later one
    for (const answer of answers) expectApillonSuccess(answer, 201);
    expect(lists.filter((list) => list.statusCode === 200)).toHaveLength(1);
    for (const list of lists.filter((list) => list.statusCode !== 200)) expectRefusal(list, 409, 40906003);
    expect(await figures(owner)).toEqual({ used: 0, reserved: 1000, bucketSize: 0, bucketReserved: 1000 });
  });
});

describe('the space an open upload reserves (issue 21)', () => {
  it('counts at create: of two concurrent creates whose sizes together pass the quota exactly one is 201', async () => {
    // prepare: a quota of 10 MiB, two files of 6 MiB at different paths
    const owner = await createTestTenant(services, { quotaBytes: 10 * MIB });
    const mp = routes(owner, randomUUID());

    // act
    const answers = await Promise.all([mp.create({ fileName: 'a.bin', size: 6 * MIB }), mp.create({ fileName: 'b.bin', size: 6 * MIB })]);

    // assess
    const admitted = answers.filter((answer) => answer.statusCode === 201);
    const refused = answers.filter((answer) => answer.statusCode !== 201);
    expect(admitted).toHaveLength(1);
    expectRefusal(refused[0]!, 400, 40006003);
    expect(refused[0]!.body.details).toMatchObject({ limitBytes: 10 * MIB, usedBytes: 0, reservedBytes: 6 * MIB, requestedBytes: 6 * MIB });
    expect(await figures(owner)).toEqual({ used: 0, reserved: 6 * MIB, bucketSize: 0, bucketReserved: 6 * MIB });
  });

  it('is given back once when the open upload is deleted', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const mp = routes(owner, randomUUID());
    const { fileUuid } = (await mp.create({ fileName: 'deleted.bin', size: 4000 })).body.data;
    const whileOpen = await figures(owner);

    // act
    const deleted = await call('fileDelete', { params: { bucketUuid: owner.bucket.bucketUuid, id: fileUuid }, headers: owner.headers.basic });
    const again = await mp.abort(fileUuid);

    // assess
    expect(whileOpen).toEqual({ used: 0, reserved: 4000, bucketSize: 0, bucketReserved: 4000 });
    expect(deleted.statusCode).toBe(200);
    expect(again.statusCode).toBe(404);
    // What became of it: deleted while open (still status 1, never completed).
    expect(again.body.details).toEqual({ uploadId: fileUuid, fileStatus: 1, markedForDeletionAt: expect.any(String) });
    expect(await figures(owner)).toEqual({ used: 0, reserved: 0, bucketSize: 0, bucketReserved: 0 });
  });
});

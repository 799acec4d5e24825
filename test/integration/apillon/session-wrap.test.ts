/**
 * `POST …/upload/:sessionUuid/end {wrapWithDirectory, directoryPath}`: the
 * session's files are placed under `directoryPath` (lib/core/upload/session-wrap.ts),
 * whether their bytes arrived before the end, after it, or not at all.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, vi } from 'vitest';
import { FileStatus, RecordStatus } from '../../../lib/core/model/entries';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { importerDirectoryCids, settleDirectories } from '../../support/directories';
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

interface Uploaded {
  readonly fileUuid: string;
  readonly key: string;
}

/** A session of `files` (`path` as the SDK sends it, `dir/` or `''`) whose bytes are PUT; no event delivered yet. */
async function sessionWith(bucketUuid: string, files: { fileName: string; path: string; content: string }[]): Promise<{ sessionUuid: string; uploaded: Uploaded[] }> {
  const sessionUuid = randomUUID();
  const response = await call('sessionUpload', {
    params: { bucketUuid },
    headers: tenant.headers.basic,
    body: { sessionUuid, files: files.map(({ fileName, path }) => ({ fileName, path })) },
  });
  expectApillonSuccess(response, 201);
  const uploaded = await Promise.all(
    response.body.data.files.map(async (file: { url: string; fileUuid: string }, index: number) => {
      const put = await putBytes(file.url, files[index]!.content);
      expect(put.ok).toBe(true);
      return { fileUuid: file.fileUuid, key: objectKeyOf(file.url) };
    }),
  );
  return { sessionUuid, uploaded };
}

const endCall = (bucketUuid: string, sessionUuid: string, body?: object) =>
  call('sessionEnd', { params: { bucketUuid, sessionUuid }, headers: { ...tenant.headers.basic, 'content-type': 'application/json' }, body: body ?? '' });

/** The uuid of the entry holding `path` (undefined: free). */
async function holderOf(bucketUuid: string, path: string): Promise<string | undefined> {
  return (await services.entries.getPathClaim(bucketUuid, path))?.entryUuid;
}

/** Names in a directory's listing (the SDK's listObjects route), sorted. */
async function namesIn(bucketUuid: string, directoryUuid?: string): Promise<string[]> {
  const response = await call('bucketContent', { params: { bucketUuid }, query: directoryUuid ? { directoryUuid } : {}, headers: tenant.headers.basic });
  expectApillonSuccess(response);
  return response.body.data.items.map((item: { name: string }) => item.name).sort();
}

const FILES = [
  { fileName: 'a.txt', path: '', content: 'root a' },
  { fileName: 'b.txt', path: 'sub/', content: 'sub b' },
  { fileName: 'c.txt', path: 'sub/deep/', content: 'deep c' },
];
const WRAPPED = ['w/a.txt', 'w/sub/b.txt', 'w/sub/deep/c.txt'];
const UNWRAPPED = ['a.txt', 'sub/b.txt', 'sub/deep/c.txt'];

/** Every file of the session is at its wrapped path, committed through to status 4, listed there; nothing left at the old paths. */
async function expectPlaced(bucketUuid: string, uploaded: readonly Uploaded[]): Promise<void> {
  for (const [index, { fileUuid }] of uploaded.entries()) {
    const record = await services.entries.get(fileUuid);
    expect(record, WRAPPED[index]).toMatchObject({ path: WRAPPED[index], recordStatus: RecordStatus.ACTIVE, fileStatus: FileStatus.REPLICATED, wrapped: true });
    expect(await holderOf(bucketUuid, WRAPPED[index]!)).toBe(fileUuid);
    expect(await holderOf(bucketUuid, UNWRAPPED[index]!)).toBeUndefined();
  }
  expect(await namesIn(bucketUuid)).toEqual(['w']);
  const w = (await services.entries.getPathClaim(bucketUuid, 'w'))!.entryUuid;
  const sub = (await services.entries.getPathClaim(bucketUuid, 'w/sub'))!.entryUuid;
  const deep = (await services.entries.getPathClaim(bucketUuid, 'w/sub/deep'))!.entryUuid;
  expect(await namesIn(bucketUuid, w)).toEqual(['a.txt', 'sub']);
  expect(await namesIn(bucketUuid, sub)).toEqual(['b.txt', 'deep']);
  expect(await namesIn(bucketUuid, deep)).toEqual(['c.txt']);
  // Child counts agree with the listings (the listing's `total`).
  expect(await services.listings.count(bucketUuid, null)).toBe(1);
  expect(await services.listings.count(bucketUuid, w)).toBe(2);
  expect(await services.listings.count(bucketUuid, sub)).toBe(2);
  expect(await services.listings.count(bucketUuid, deep)).toBe(1);
}

/** Usage is charged once: the bucket's size is the bytes of its files. */
async function expectCharged(bucketUuid: string, bytes: number): Promise<void> {
  expect((await services.buckets.get(bucketUuid))!.sizeBytes).toBe(bytes);
}

const TOTAL_BYTES = FILES.reduce((sum, file) => sum + file.content.length, 0);

describe('placing a session’s files under directoryPath', () => {
  it('before any file is committed: each commits straight at its wrapped path', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);

    // act
    const ended = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });
    await deliverEvents(services, uploaded.map((file) => file.key));

    // assess
    expectApillonSuccess(ended);
    await expectPlaced(bucket.bucketUuid, uploaded);
    await expectCharged(bucket.bucketUuid, TOTAL_BYTES);
  });

  it('after every file is committed: they move, the folders their upload made go', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);
    await deliverEvents(services, uploaded.map((file) => file.key));
    const cids = await Promise.all(uploaded.map(async (file) => (await services.entries.get(file.fileUuid))!.cidV1));

    // act
    const ended = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: '/w/' });

    // assess
    expectApillonSuccess(ended);
    await expectPlaced(bucket.bucketUuid, uploaded);
    await expectCharged(bucket.bucketUuid, TOTAL_BYTES);
    expect(await Promise.all(uploaded.map(async (file) => (await services.entries.get(file.fileUuid))!.cidV1))).toEqual(cids);
    const listed = await call('bucketFiles', { params: { bucketUuid: bucket.bucketUuid }, query: { sessionUuid }, headers: tenant.headers.basic });
    expect(listed.body.data.items.map((item: { path: string; name: string }) => `${item.path}${item.name}`).sort()).toEqual([...WRAPPED].sort());
  });

  it('an end that runs out of time part way: what it emptied goes at once, the rest at the sweeper’s pass; no folder is left behind', async () => {
    // prepare: every file committed; the end's clock jumps past its budget once the deepest file has moved
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);
    await deliverEvents(services, uploaded.map((file) => file.key));
    const moveCommitted = services.moves.moveCommitted.bind(services.moves);
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, 'now');
    const moves = vi.spyOn(services.moves, 'moveCommitted').mockImplementation(async (batch, now) => {
      const done = await moveCommitted(batch, now);
      clock.mockReturnValue(realNow() + 5 * 60_000); // past the end's 20 s budget
      return done;
    });

    // act: the end stops after its first batch; later the sweeper's passes finish the session
    let ended;
    try {
      ended = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });
    } finally {
      moves.mockRestore();
      clock.mockRestore();
    }
    const movedByEnd = (await Promise.all(uploaded.map(async (file) => (await services.entries.get(file.fileUuid))!.wrapped === true))).filter(Boolean).length;
    await sweepStrandedFiles(services, new Date(Date.now() + 20 * 60_000));

    // assess
    expectApillonSuccess(ended!);
    expect(movedByEnd).toBe(1);
    await expectPlaced(bucket.bucketUuid, uploaded);
    await expectCharged(bucket.bucketUuid, TOTAL_BYTES);
  });

  it('some committed, some not: all end up placed', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);
    await deliverEvents(services, [uploaded[1]!.key]);

    // act
    await endCall(bucket.bucketUuid, sessionUuid, { directoryPath: 'w' });
    await deliverEvents(services, [uploaded[0]!.key, uploaded[2]!.key]);

    // assess
    await expectPlaced(bucket.bucketUuid, uploaded);
    await expectCharged(bucket.bucketUuid, TOTAL_BYTES);
  });

  it('without directoryPath the files stay where they were uploaded', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);

    // act
    await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: false });
    await deliverEvents(services, uploaded.map((file) => file.key));

    // assess
    for (const [index, { fileUuid }] of uploaded.entries()) expect(await holderOf(bucket.bucketUuid, UNWRAPPED[index]!)).toBe(fileUuid);
    expect(await namesIn(bucket.bucketUuid)).toEqual(['a.txt', 'sub']);
  });

  it('an empty session (the SDK ends one that uploaded nothing) still gets its wrapping directory', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);

    // act
    const ended = await endCall(bucket.bucketUuid, randomUUID(), { wrapWithDirectory: true, directoryPath: 'empty/dir' });

    // assess
    expectApillonSuccess(ended);
    expect((await services.entries.getPathClaim(bucket.bucketUuid, 'empty/dir'))?.type).toBe('directory');
  });
});

describe('the wrapping directory’s CID', () => {
  it.each([
    ['committed before the end (moved)', true],
    ['committed after the end (placed at commit)', false],
  ])('is what kubo gives for the session’s files, and the bucket root’s for the whole tree: %s', async (_, before) => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);
    const keys = uploaded.map((file) => file.key);
    if (before) await deliverEvents(services, keys);

    // act
    await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });
    if (!before) await deliverEvents(services, keys);
    const stale = await Promise.all(
      [null, ...['w', 'w/sub', 'w/sub/deep'].map((path) => path)].map(async (path) => {
        const directoryUuid = path === null ? null : (await services.entries.getPathClaim(bucket.bucketUuid, path))!.entryUuid;
        // In the sweeper's pending index: the durable mark (staleSince is only set where a queue takes the recompute).
        return (await services.directories.get({ bucketUuid: bucket.bucketUuid, directoryUuid }))?.pending === true;
      }),
    );
    const addresses = await settleDirectories(services, bucket.bucketUuid);

    // assess: an independent importer with kubo's options over the same bytes
    const tree = new Map(FILES.map((file) => [`${file.path}${file.fileName}`, new TextEncoder().encode(file.content)]));
    const wrapping = await importerDirectoryCids(tree, [], 1);
    const whole = await importerDirectoryCids(new Map([...tree].map(([path, bytes]) => [`w/${path}`, bytes])), [], 1);
    // the move (or the commits at the new paths) marked every directory it changed for a recompute
    expect(stale).toEqual([true, true, true, true]);
    expect(addresses.get('w')?.cidV1).toBe(wrapping.get(''));
    expect(addresses.get('w/sub')?.cidV1).toBe(wrapping.get('sub'));
    expect(addresses.get('')?.cidV1).toBe(whole.get(''));
    const listed = await call('bucketContent', { params: { bucketUuid: bucket.bucketUuid }, headers: tenant.headers.basic });
    expect(listed.body.data.items).toEqual([expect.objectContaining({ name: 'w', type: 1, CID: wrapping.get('') })]);
  });
});

describe('conflicts at the new paths', () => {
  it('a file already at the new path is replaced (the last write wins), its bytes and charge released', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const old = await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'a.txt', path: 'w', bytes: 'an older, longer w/a.txt' });
    const oldRecord = (await services.entries.get(old.fileUuid))!;
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, [FILES[0]!]);
    await deliverEvents(services, [uploaded[0]!.key]);

    // act
    await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });

    // assess
    expect(await holderOf(bucket.bucketUuid, 'w/a.txt')).toBe(uploaded[0]!.fileUuid);
    expect(await services.entries.get(old.fileUuid)).toBeUndefined();
    expect(await services.blobs.head(oldRecord.objectKey!)).toBeUndefined();
    await expectCharged(bucket.bucketUuid, FILES[0]!.content.length);
    const w = (await services.entries.getPathClaim(bucket.bucketUuid, 'w'))!.entryUuid;
    expect(await services.listings.count(bucket.bucketUuid, w)).toBe(1);
  });

  it('a directory at the new path: a committed file keeps its place, a late one is refused as any upload there', async () => {
    // prepare: w/a.txt and w/b.txt are folders
    const bucket = await createTestBucket(services, tenant.accountId);
    await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'x', path: 'w/a.txt', bytes: 'x' });
    await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'y', path: 'w/b.txt', bytes: 'y' });
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, [
      { fileName: 'a.txt', path: '', content: 'committed' },
      { fileName: 'b.txt', path: '', content: 'late' },
    ]);
    await deliverEvents(services, [uploaded[0]!.key]);

    // act
    const ended = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });
    await deliverEvents(services, [uploaded[1]!.key]);

    // assess
    expectApillonSuccess(ended);
    expect(await services.entries.get(uploaded[0]!.fileUuid)).toMatchObject({ path: 'a.txt', fileStatus: FileStatus.REPLICATED, recordStatus: RecordStatus.ACTIVE });
    expect(await holderOf(bucket.bucketUuid, 'a.txt')).toBe(uploaded[0]!.fileUuid);
    expect(await services.entries.get(uploaded[1]!.fileUuid)).toMatchObject({ path: 'w/b.txt', fileStatus: FileStatus.ERROR_PATH_CONFLICT, rejectionReason: expect.stringMatching(/^[A-Z_]+: "w\/b\.txt" was refused when its bytes arrived/) });
    await expectCharged(bucket.bucketUuid, 'x'.length + 'y'.length + 'committed'.length);
  });

  it('a file holding directoryPath: 400 INVALID_DIRECTORY, nothing changes, the session stays open', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    await uploadFile(services, bucket.bucketUuid, tenant.headers.basic, { fileName: 'w', path: '', bytes: 'a file named w' });
    const { sessionUuid } = await sessionWith(bucket.bucketUuid, [FILES[0]!]);
    const before = await tableSnapshot(services);

    // act
    const response = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w/inner' });

    // assess
    expectApillonError(response, { status: 400, code: 40006012, message: 'INVALID_DIRECTORY' });
    expect(await tableSnapshot(services)).toEqual(before);
    expect((await services.sessions.get(sessionUuid))!.status).toBe('open');
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['wrapWithDirectory without directoryPath', { wrapWithDirectory: true }, [42200041]],
    ['wrapWithDirectory with an empty directoryPath', { wrapWithDirectory: true, directoryPath: '/' }, [42200041]],
    ['a traversal', { wrapWithDirectory: true, directoryPath: 'a/../../b' }, [42200018]],
    ['a control character', { directoryPath: 'a\u0000b' }, [42200018]],
    ['a path that is not a string', { wrapWithDirectory: true, directoryPath: 7 }, [42200018]],
  ])('%s → 422', async (_, body, codes) => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid } = await sessionWith(bucket.bucketUuid, [FILES[0]!]);
    const before = await tableSnapshot(services);

    // act
    const response = await endCall(bucket.bucketUuid, sessionUuid, body);

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors.map((error: { code: number }) => error.code)).toEqual(codes);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('a wrap on an ended session: 40006001, nothing changes', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, [FILES[0]!]);
    await endCall(bucket.bucketUuid, sessionUuid);
    await deliverEvents(services, [uploaded[0]!.key]);
    const before = await tableSnapshot(services);

    // act
    const response = await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });

    // assess
    expectApillonError(response, { status: 400, code: 40006001, message: 'FILE_UPLOAD_SESSION_ALREADY_ENDED' });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('a session of another account: 403, nothing changes', async () => {
    // prepare
    const other = await createTestTenant(services);
    const { sessionUuid } = await sessionWith(tenant.bucket.bucketUuid, [{ fileName: 'mine.txt', path: '', content: 'x' }]);
    const before = await tableSnapshot(services);

    // act
    const response = await call('sessionEnd', {
      params: { bucketUuid: tenant.bucket.bucketUuid, sessionUuid },
      headers: { ...other.headers.basic, 'content-type': 'application/json' },
      body: { wrapWithDirectory: true, directoryPath: 'w' },
    });

    // assess
    expect(response.statusCode).toBe(403);
    expect(await tableSnapshot(services)).toEqual(before);
  });
});

describe('the sweeper finishes a move', () => {
  it('runs the final pass once it is due and records the move as done', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const { sessionUuid, uploaded } = await sessionWith(bucket.bucketUuid, FILES);
    await deliverEvents(services, uploaded.map((file) => file.key));
    await endCall(bucket.bucketUuid, sessionUuid, { wrapWithDirectory: true, directoryPath: 'w' });
    const moving = (await services.sessions.get(sessionUuid))!;

    // act
    const early = await sweepStrandedFiles(services, new Date(Date.parse(moving.endedAt!) + 5 * 60_000));
    const late = await sweepStrandedFiles(services, new Date(Date.parse(moving.finalPassAfter!) + 1000));

    // assess
    expect(moving.moveState).toBe('moving');
    expect(early.sessionMoves).toBe(0);
    expect(late.sessionMoves).toBeGreaterThanOrEqual(1);
    expect((await services.sessions.get(sessionUuid))!.moveState).toBe('moved');
    await expectPlaced(bucket.bucketUuid, uploaded);
  });
});

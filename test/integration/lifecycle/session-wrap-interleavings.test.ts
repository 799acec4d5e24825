/**
 * Session end with a `directoryPath` (session-wrap.ts) racing the commit of a
 * file of that session: the file's event run A is paused before each of its
 * port calls in turn while the end (run B) goes to its end, then A goes on.
 * Whatever the boundary, the file ends up committed once, at its wrapped path,
 * listed there and charged once, with nothing at its old path. And an end
 * killed at any of its own port calls is finished by the sweeper.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { requestSessionUpload } from '../../../lib/apillon/uploads';
import { endSession } from '../../../lib/apillon/session-end';
import { FileStatus, RecordStatus } from '../../../lib/core/model/entries';
import { advanceFile, processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import type { BucketRecord } from '../../../lib/core/ports';
import { ALL_PERMISSIONS, type Principal } from '../../../lib/core/access/principal';
import { finishDueSessionMoves, FINAL_PASS_AFTER_SECONDS, MOVE_GRACE_SECONDS } from '../../../lib/core/upload/session-wrap';
import { uploadKeyOf } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { instrument, Killed } from '../../support/interleave';
import { createTestAccount, createTestBucket, testServices } from '../../support/services';

let services: Services;

beforeAll(async () => {
  services = await testServices();
});

const CONTENT = 'wrapped bytes';

interface Prepared {
  readonly bucket: BucketRecord;
  readonly principal: Principal;
  readonly sessionUuid: string;
  readonly fileUuids: string[];
}

/** A session of files at `d/f<i>.txt` whose bytes are in S3, no event processed yet. */
async function prepared(count = 1): Promise<Prepared> {
  const { accountId } = await createTestAccount(services, { quotaBytes: 1_000_000 });
  const bucket = await createTestBucket(services, accountId);
  const principal: Principal = { accountId, credentialKind: 'api', credentialId: 'test', permissions: new Set(ALL_PERMISSIONS) };
  const { sessionUuid, uploads } = await requestSessionUpload(services, principal, bucket.bucketUuid, {
    files: Array.from({ length: count }, (_, index) => ({ fileName: `f${index}.txt`, path: 'd/', fileSize: CONTENT.length })),
  });
  await Promise.all(uploads.map(({ file }) => services.blobs.put(uploadKeyOf(file), new TextEncoder().encode(CONTENT), 'text/plain')));
  return { bucket, principal, sessionUuid, fileUuids: uploads.map(({ file }) => file.uuid) };
}

const wrap = { wrapWithDirectory: true, directoryPath: 'w' };

/** Each file committed once at w/d/f<i>.txt, listed there, charged once; nothing at d/… */
async function expectPlaced({ bucket, fileUuids }: Prepared): Promise<void> {
  for (const [index, uuid] of fileUuids.entries()) {
    const record = await services.entries.get(uuid);
    expect(record).toMatchObject({ path: `w/d/f${index}.txt`, recordStatus: RecordStatus.ACTIVE, fileStatus: FileStatus.REPLICATED });
    expect((await services.entries.getPathClaim(bucket.bucketUuid, `w/d/f${index}.txt`))?.entryUuid).toBe(uuid);
    expect(await services.entries.getPathClaim(bucket.bucketUuid, `d/f${index}.txt`)).toBeUndefined();
  }
  const directory = (await services.entries.getPathClaim(bucket.bucketUuid, 'w/d'))!.entryUuid;
  const listed = await services.listings.listAll(bucket.bucketUuid, directory);
  expect(listed.map((entry) => entry.uuid).sort()).toEqual([...fileUuids].sort());
  expect(await services.listings.count(bucket.bucketUuid, directory)).toBe(fileUuids.length);
  // No file left at the root or under d/ (an emptied d/ may stay only where a commit re-created it).
  const root = await services.listings.listAll(bucket.bucketUuid, null);
  expect(root.filter((entry) => entry.type === 'file')).toEqual([]);
  expect((await services.buckets.get(bucket.bucketUuid))!.sizeBytes).toBe(CONTENT.length * fileUuids.length);
  expect((await services.accounts.getAccount(bucket.accountId))!.usedBytes).toBe(CONTENT.length * fileUuids.length);
}

/** The port calls of one undisturbed commit of a session file (the boundaries a scenario pauses at). */
async function commitBoundaries(): Promise<number> {
  const session = await prepared();
  const probe = instrument(services);
  await processObjectCreated(probe.deps, uploadKeyOf({ bucketUuid: session.bucket.bucketUuid, uuid: session.fileUuids[0]! }));
  return probe.calls.length;
}

describe('a session end racing the commit of one of its files', () => {
  const boundaries = Array.from({ length: 26 }, (_, k) => k);

  it('the boundaries cover every call of a commit', async () => {
    const calls = await commitBoundaries();
    expect(calls).toBeGreaterThan(10);
    expect(calls).toBeLessThan(boundaries.length);
  });

  it.concurrent.each(boundaries)('commit paused before its call %i while the session ends', async (k) => {
    // prepare
    const session = await prepared();
    const key = uploadKeyOf({ bucketUuid: session.bucket.bucketUuid, uuid: session.fileUuids[0]! });
    const a = instrument(services);
    const { paused, resume } = a.pauseBefore(k);
    const runA = processObjectCreated(a.deps, key);

    // act: the end runs to its end while the commit waits at the boundary (or after it, past its last call)
    await Promise.race([paused, runA]);
    await endSession(services, session.principal, session.bucket.bucketUuid, session.sessionUuid, wrap);
    resume();
    await runA;

    // assess: placed as soon as both runs are done, before any sweeper pass
    await expectPlaced(session);
  });
});

describe('an end killed midway', () => {
  it.each(['moves.moveCommitted', 'moves.retargetRequested', 'uploads.createDirectories', 'deletions.deleteDirectory'])(
    'killed at its first %s: the sweeper finishes the move',
    async (label) => {
      // prepare: two files committed before the end, two still in flight
      const session = await prepared(4);
      const keys = session.fileUuids.map((uuid) => uploadKeyOf({ bucketUuid: session.bucket.bucketUuid, uuid }));
      await Promise.all(keys.slice(0, 2).map((key) => processObjectCreated(services, key)));
      const b = instrument(services);
      b.killBefore(label);

      // act
      const ending = await endSession(b.deps, session.principal, session.bucket.bucketUuid, session.sessionUuid, wrap).then(
        () => 'finished',
        (error: unknown) => (error instanceof Killed ? 'killed' : Promise.reject(error)),
      );
      const endedAt = Date.parse((await services.sessions.get(session.sessionUuid))!.endedAt!);
      await finishDueSessionMoves(services, new Date(endedAt + (MOVE_GRACE_SECONDS + 1) * 1000));
      await Promise.all(keys.slice(2).map((key) => processObjectCreated(services, key)));
      // Every session of this file is due by then, and one sweep takes 20: sweep as the schedule would, until ours is done.
      for (let sweep = 0; sweep < 5 && (await services.sessions.get(session.sessionUuid))!.moveState !== 'moved'; sweep++) {
        await finishDueSessionMoves(services, new Date(endedAt + (FINAL_PASS_AFTER_SECONDS + 1) * 1000));
      }

      // assess
      expect(ending).toBe('killed');
      for (const uuid of session.fileUuids) await advanceFile(services, uuid);
      await expectPlaced(session);
      expect((await services.sessions.get(session.sessionUuid))!.moveState).toBe('moved');
    },
  );
});

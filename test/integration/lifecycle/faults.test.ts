/**
 * Issue 7: faults, not only success. Steps that throw and are retried, runs
 * killed between steps, and the sweeper finishing each stranded state; usage
 * is charged exactly once in all of them. Real emulators; faults injected at
 * the port boundary (test/support/interleave.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStatus, isFile } from '../../../lib/core/model/entries';
import { advanceFile, processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import type { BucketRecord } from '../../../lib/core/ports';
import { instrument } from '../../support/interleave';
import { createTestAccount, createTestBucket, testServices } from '../../support/services';

let services: Services;
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

beforeAll(async () => {
  services = await testServices();
});

async function uploadedFile(content = 'hello world') {
  const { accountId } = await createTestAccount(services, { quotaBytes: 1_000_000 });
  const bucket: BucketRecord = await createTestBucket(services, accountId);
  const file = await requestUpload(services, bucket, { fileName: 'f.bin', directory: [], contentType: 'application/octet-stream', declaredSize: content.length });
  await services.blobs.put(uploadKeyOf(file), new TextEncoder().encode(content), 'application/octet-stream');
  return { accountId, bucket, file, size: content.length };
}

async function statusOf(uuid: string): Promise<number | undefined> {
  const entry = await services.entries.get(uuid);
  return entry && isFile(entry) ? entry.fileStatus : undefined;
}

async function usage(accountId: string): Promise<number> {
  return (await services.accounts.getAccount(accountId))!.usedBytes;
}

/** Index of the first call to `label` in an undisturbed event run. */
async function callIndex(label: string): Promise<number> {
  const { file } = await uploadedFile();
  const probe = instrument(services);
  await processObjectCreated(probe.deps, uploadKeyOf(file));
  const index = probe.calls.indexOf(label);
  expect(index, `${label} in ${probe.calls.join(', ')}`).toBeGreaterThanOrEqual(0);
  return index;
}

describe('a step that fails', () => {
  it.each(['blobCopies.copy', 'lifecycle.commitUpload', 'blobs.read', 'lifecycle.recordCids', 'blobCopies.replicate', 'lifecycle.transition'])(
    'fails at %s and the next delivery fails again: the third completes it, charged once',
    async (label) => {
      // prepare
      const index = await callIndex(label);
      const { accountId, file, size } = await uploadedFile();
      const run = instrument(services);
      run.failAt(index, 1);
      // act: the first run fails at the step; the retries (as SQS redelivers) go on from where it stopped
      await expect(processObjectCreated(run.deps, uploadKeyOf(file))).rejects.toThrow(/injected fault/);
      const retry = instrument(services);
      retry.failAt(0, 1);
      await expect(processObjectCreated(retry.deps, uploadKeyOf(file))).rejects.toThrow(/injected fault/);
      await processObjectCreated(services, uploadKeyOf(file));
      // assess
      expect(await statusOf(file.uuid)).toBe(FileStatus.REPLICATED);
      expect(await usage(accountId)).toBe(size);
    },
  );
});

describe('a run killed between steps', () => {
  it.each([
    ['between commit and CID', 'blobs.read', FileStatus.UPLOADED],
    ['between CID and replica', 'blobCopies.replicate', FileStatus.ADDRESSED],
  ])('%s leaves the file at its status; the next delivery completes it, charged once', async (_, label, statusAfterKill) => {
    // prepare
    const index = await callIndex(label);
    const { accountId, file, size } = await uploadedFile();
    const run = instrument(services);
    run.killAt(index);
    // act
    await expect(processObjectCreated(run.deps, uploadKeyOf(file))).rejects.toThrow(/killed/);
    expect(await statusOf(file.uuid)).toBe(statusAfterKill);
    await processObjectCreated(services, uploadKeyOf(file));
    // assess
    expect(await statusOf(file.uuid)).toBe(FileStatus.REPLICATED);
    expect(await usage(accountId)).toBe(size);
  });
});

describe('the sweeper', () => {
  it('completes every stranded state: bytes whose event never came, and runs killed at 2 and at 3', async () => {
    // prepare: one file per state
    const neverEvented = await uploadedFile('no event');
    const killedAtTwo = await uploadedFile('killed at two');
    const killedAtThree = await uploadedFile('killed at three!');
    const [readIndex, replicateIndex] = [await callIndex('blobs.read'), await callIndex('blobCopies.replicate')];
    for (const [stranded, index] of [[killedAtTwo, readIndex], [killedAtThree, replicateIndex]] as const) {
      const run = instrument(services);
      run.killAt(index);
      await expect(processObjectCreated(run.deps, uploadKeyOf(stranded.file))).rejects.toThrow(/killed/);
    }
    expect([await statusOf(neverEvented.file.uuid), await statusOf(killedAtTwo.file.uuid), await statusOf(killedAtThree.file.uuid)]).toEqual([1, 2, 3]);

    // act: too early, nothing is stranded yet; 11 minutes later all three are
    const early = await sweepStrandedFiles(services, new Date());
    const report = await sweepStrandedFiles(services, later(11));

    // assess
    expect(early.found).toBe(0);
    expect(report.found).toBeGreaterThanOrEqual(3);
    expect(report.failed).toBe(0);
    for (const stranded of [neverEvented, killedAtTwo, killedAtThree]) {
      expect(await statusOf(stranded.file.uuid)).toBe(FileStatus.REPLICATED);
      expect(await usage(stranded.accountId)).toBe(stranded.size);
    }
    // a second sweep finds none of them again
    const again = await sweepStrandedFiles(services, later(11));
    const uuids = [neverEvented, killedAtTwo, killedAtThree].map((stranded) => stranded.file.uuid);
    expect(await services.lifecycle.pendingFiles(later(11).toISOString(), 1000)).not.toEqual(expect.arrayContaining(uuids));
    expect(again.failed).toBe(0);
  });

  it('lets go of an upload request whose bytes never came (its URL expired long ago), charging nothing', async () => {
    // prepare
    const { accountId } = await createTestAccount(services, { quotaBytes: 1000 });
    const bucket = await createTestBucket(services, accountId);
    const file = await requestUpload(services, bucket, { fileName: 'never.txt', directory: [], contentType: 'text/plain' });
    // act
    await sweepStrandedFiles(services, later(11));
    // assess
    expect(await statusOf(file.uuid)).toBe(FileStatus.REQUESTED);
    expect(await services.lifecycle.pendingFiles(later(11).toISOString(), 1000)).not.toContain(file.uuid);
    expect(await usage(accountId)).toBe(0);
  });

  it('leaves a file that a live run is working on alone until it is overdue', async () => {
    const { file } = await uploadedFile('fresh');
    await sweepStrandedFiles(services, later(5));
    expect(await statusOf(file.uuid)).toBe(FileStatus.REQUESTED);
    await advanceFile(services, file.uuid);
    expect(await statusOf(file.uuid)).toBe(FileStatus.REPLICATED);
  });
});

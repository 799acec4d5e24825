/**
 * Issue 7: a multi-file Quantum add is all-or-nothing whatever instant the
 * function stops at. The add is killed before each of its port calls in turn
 * (every step boundary; a kill stops every later call, so no clean-up of its
 * own runs): the bucket then shows all of the request or none of it, the usage
 * matches, and once the sweeper has passed no staged object is left.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { sdkS3 } from '../../support/sdk-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketTreeCids, settleStaleDirectories, storedDirectoryCids } from '../../support/directories';
import { RecordStatus, isFile, type FileRecord } from '../../../lib/core/model/entries';
import { advanceFile } from '../../../lib/core/lifecycle/lifecycle';
import { addFiles } from '../../../lib/quantum/files';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import type { Services } from '../../../lib/app/services';
import type { BucketRecord } from '../../../lib/core/ports';
import { setServicesForTests } from '../../../lib/app/services';
import { freePort } from '../../../lib/local/ports';
import { expectQuantumSuccess } from '../../support/envelopes';
import { instrument, Killed } from '../../support/interleave';
import { buildTestServices, createTestAccount, createTestBucket, testServices } from '../../support/services';
import { addFiles as addFilesOverHttp } from './support';

let services: Services;
let boundaries: number;

const file = (fileName: string, text: string) => ({ fileName, contentType: 'text/plain', bytes: new TextEncoder().encode(text) });
/** The request: two new files and one that replaces `docs/old.txt` (force). */
const request = [file('a.txt', 'alpha'), file('b.txt', 'bravo!'), file('old.txt', 'replaced')];

async function bucketWithOldFile(): Promise<{ bucket: BucketRecord; accountId: string }> {
  const { accountId } = await createTestAccount(services, { quotaBytes: 10_000 });
  const bucket = await createTestBucket(services, accountId, { public: false });
  await addFiles(services, bucket, 'docs', [file('old.txt', 'the old one')], false);
  return { bucket, accountId };
}

async function filesOf(bucket: BucketRecord): Promise<FileRecord[]> {
  const page = await services.listings.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus: RecordStatus.ACTIVE, offset: 0, limit: 100 });
  return page.items.filter(isFile);
}

async function objectKeys(bucket: BucketRecord): Promise<string[]> {
  const { Contents } = await sdkS3(services.config).send(new ListObjectsV2Command({ Bucket: services.config.FILES_BUCKET, Prefix: `files/${bucket.bucketUuid}/` }));
  return (Contents ?? []).map((object) => object.Key!).sort();
}

beforeAll(async () => {
  services = await testServices();
  const { bucket } = await bucketWithOldFile();
  const probe = instrument(services);
  await addFiles(probe.deps, bucket, 'docs', request, true);
  boundaries = probe.calls.length;
  expect(boundaries).toBeGreaterThan(5);
  expect(boundaries).toBeLessThanOrEqual(20);
});

describe('a three-file Quantum add killed before each of its calls', () => {
  // One after another: each scenario sweeps "6 minutes later", which would abort the live intents of concurrent ones.
  it.each(Array.from({ length: 20 }, (_, k) => k))('kill at call %i: all or nothing, and nothing left over after the sweep', async (k) => {
    // prepare
    const { bucket, accountId } = await bucketWithOldFile();
    const before = await filesOf(bucket);
    const run = instrument(services);
    run.killAt(k);

    // act
    const outcome = await addFiles(run.deps, bucket, 'docs', request, true).then(
      () => 'stored',
      (error) => (error instanceof Killed || /killed/.test(String(error)) ? 'killed' : error),
    );
    if (outcome !== 'stored' && outcome !== 'killed') throw outcome;
    const after = await filesOf(bucket);

    // assess: all of it, or none of it
    const names = after.map((entry) => `${entry.path}:${entry.size}`).sort();
    const all = ['docs/a.txt:5', 'docs/b.txt:6', 'docs/old.txt:8'];
    const none = before.map((entry) => `${entry.path}:${entry.size}`).sort();
    expect([JSON.stringify(all), JSON.stringify(none)]).toContain(JSON.stringify(names));
    if (k >= boundaries) expect(outcome).toBe('stored');
    const usage = (await services.accounts.getAccount(accountId))!.usedBytes;
    expect(usage).toBe(after.reduce((sum, entry) => sum + (entry.chargedBytes ?? 0), 0));

    // once the intent is due, the sweeper leaves exactly the stored files' bytes
    await sweepStrandedFiles(services, new Date(Date.now() + 6 * 60_000));
    expect(await objectKeys(bucket)).toEqual(after.map((entry) => entry.objectKey).sort());

    // once the files are addressed (the sweeper takes them on), recomputing what the marks left waiting
    // gives every directory the CIDs the importer computes for what the bucket holds
    await sweepStrandedFiles(services, new Date(Date.now() + 11 * 60_000));
    await settleStaleDirectories(services, bucket.bucketUuid);
    const [expected, stored] = [await bucketTreeCids(services, bucket.bucketUuid), await storedDirectoryCids(services, bucket.bucketUuid)];
    expect(Object.fromEntries(stored.cidV1)).toEqual(Object.fromEntries(expected.cidV1));
    expect(Object.fromEntries(stored.cidV0)).toEqual(Object.fromEntries(expected.cidV0));
  });
});

describe('16 Quantum adds replacing one path at once (force=true)', () => {
  it('all succeed or answer 409 CONCURRENT_UPDATE, never a 500; one file stays, charged once', async () => {
    // prepare
    const { accountId } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    // act
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => addFiles(services, bucket, 'same', [file('one.txt', `writer ${String(i).padStart(2, '0')}`)], true)),
    );
    // assess
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as { errorName?: string }).errorName).toBe('concurrentUpdate');
    }
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThan(0);
    const stored = await filesOf(bucket);
    expect(stored.map((entry) => entry.path)).toEqual(['same/one.txt']);
    expect((await services.accounts.getAccount(accountId))!.usedBytes).toBe(stored[0]!.chargedBytes);
    expect(await objectKeys(bucket)).toEqual([stored[0]!.objectKey]);
  });
});

describe('a Quantum add racing another for the last space', () => {
  it('stores one of them whole and refuses the other whole', async () => {
    // prepare: room for one of the two requests only
    const { accountId } = await createTestAccount(services, { quotaBytes: 20 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    const first = [file('1.txt', 'aaaaaa'), file('2.txt', 'bbbbbb')];
    const second = [file('3.txt', 'cccccc'), file('4.txt', 'dddddd')];
    // act
    const results = await Promise.allSettled([addFiles(services, bucket, '', first, false), addFiles(services, bucket, '', second, false)]);
    // assess
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const stored = (await filesOf(bucket)).map((entry) => entry.name).sort();
    expect([['1.txt', '2.txt'], ['3.txt', '4.txt']]).toContainEqual(stored);
    expect((await services.accounts.getAccount(accountId))!.usedBytes).toBe(12);
  });
});

describe('a 50-file Quantum add (more than one DynamoDB transaction holds)', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => file(`page-${i}.txt`, `content ${i}`));

  it('is stored whole, with one charge and every file listed', async () => {
    // prepare
    const { accountId } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    // act
    await addFiles(services, bucket, 'site/pages', fifty, false);
    // assess
    const stored = await filesOf(bucket);
    expect(stored).toHaveLength(50);
    expect((await services.accounts.getAccount(accountId))!.usedBytes).toBe(fifty.reduce((sum, part) => sum + part.bytes.length, 0));
    expect(await services.listings.count(bucket.bucketUuid, stored[0]!.parentUuid)).toBe(50);
  });

  it.each([0, 1, 2])('killed after %i of its transactions, it is finished by the sweeper: all or nothing', async (transactions) => {
    // prepare: a client that stops the process after `transactions` TransactWriteItems calls went through
    const { accountId } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    const killing = buildTestServices();
    let sent = 0;
    killing.clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (sent >= transactions) throw new Killed(String(context.commandName));
        if (context.commandName === 'TransactWriteItemsCommand') sent++;
        return next(args);
      },
      { step: 'initialize', name: 'killAfterTransactions' },
    );
    // act
    await addFiles(killing, bucket, 'site', fifty, false).catch((error) => {
      if (!(error instanceof Killed) && !/killed/.test(String(error))) throw error;
    });
    const atKill = (await filesOf(bucket)).length;
    await sweepStrandedFiles(services, new Date(Date.now() + 6 * 60_000));
    // assess: after the sweep, all 50 (the kill came after the commit point) or none (before it)
    const after = await filesOf(bucket);
    expect(after.length).toBe(transactions === 0 ? 0 : 50);
    expect(atKill).toBeLessThanOrEqual(after.length);
    const usage = (await services.accounts.getAccount(accountId))!.usedBytes;
    expect(usage).toBe(after.reduce((sum, entry) => sum + (entry.chargedBytes ?? 0), 0));
    expect(await objectKeys(bucket)).toEqual(after.map((entry) => entry.objectKey).sort());
  });
});

/** A DynamoDB answer of the kind a commit can meet after its first transaction: a server error, after the SDK's own retries. */
class InternalServerError extends Error {
  readonly $fault = 'server';
  constructor() {
    super('injected: DynamoDB internal server error');
    this.name = 'InternalServerError';
  }
}

describe('a Quantum add failing after its commit point (issue 18 item 7)', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => ({ name: `page-${i}.txt`, content: `content ${i}` }));
  const size = fifty.reduce((sum, part) => sum + part.content.length, 0);

  it('a 50-file add whose record transactions fail answers 200 with the 50 files it committed, and the sweeper writes them', async () => {
    // prepare: every TransactWriteItems after the first (the commit point) fails
    const { accountId, masterKey } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    const failing = buildTestServices();
    let transactions = 0;
    failing.clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && ++transactions > 1) throw new InternalServerError();
        return next(args);
      },
      { step: 'initialize', name: 'failAfterCommitPoint' },
    );
    setServicesForTests(failing);
    let response;
    try {
      // act
      response = await addFilesOverHttp({ 'x-api-mkey': masterKey }, bucket.name, 'site', fifty);
    } finally {
      setServicesForTests(undefined);
    }

    // assess: the answer says what is committed, never a 500
    expect(transactions).toBeGreaterThan(1);
    expectQuantumSuccess(response);
    expect(response.body.message).toBe('File add successful (50 files)');
    // committed: charged and claimed now, listed once the sweeper has rolled the records forward
    expect((await services.accounts.getAccount(accountId))!.usedBytes).toBe(size);
    expect(await services.entries.getPathClaim(bucket.bucketUuid, 'site/page-49.txt')).toBeDefined();
    await sweepStrandedFiles(services, new Date(Date.now() + 6 * 60_000));
    const after = await filesOf(bucket);
    expect(after).toHaveLength(50);
    expect(after.reduce((sum, entry) => sum + (entry.chargedBytes ?? 0), 0)).toBe(size);
    expect(await objectKeys(bucket)).toEqual(after.map((entry) => entry.objectKey).sort());
  });

  it('an add whose lifecycle message cannot be sent answers 200: the files are committed and the sweeper takes them on', async () => {
    // prepare: a lifecycle queue nobody listens on (connection refused)
    const { accountId, masterKey } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    const closed = `http://127.0.0.1:${await freePort()}`;
    setServicesForTests(buildTestServices({ SQS_ENDPOINT: closed, LIFECYCLE_QUEUE_URL: `${closed}/000000000000/object-events` }));
    let response;
    try {
      // act
      response = await addFilesOverHttp({ 'x-api-mkey': masterKey }, bucket.name, 'docs', [{ name: 'a.txt', content: 'alpha' }, { name: 'b.txt', content: 'bravo' }]);
    } finally {
      setServicesForTests(undefined);
    }

    // assess
    expectQuantumSuccess(response);
    expect(response.body.message).toBe('File add successful (2 files)');
    expect((await filesOf(bucket)).map((entry) => [entry.path, entry.fileStatus])).toEqual(
      expect.arrayContaining([['docs/a.txt', 2], ['docs/b.txt', 2]]),
    );
    // they wait in the sweeper's index, and its step takes them on
    const committed = await filesOf(bucket);
    const waiting = await services.lifecycle.pendingFiles(new Date(Date.now() + 11 * 60_000).toISOString(), 100_000);
    expect(waiting).toEqual(expect.arrayContaining(committed.map((entry) => entry.uuid)));
    for (const entry of committed) await advanceFile(services, entry.uuid);
    expect((await filesOf(bucket)).map((entry) => entry.fileStatus)).toEqual([4, 4]);
  });

  it('50 files into a location 60 folders deep (more new folders than the commit point holds beside them) are stored whole', async () => {
    // prepare
    const { accountId } = await createTestAccount(services, { quotaBytes: 100_000 });
    const bucket = await createTestBucket(services, accountId, { public: false });
    const location = Array.from({ length: 60 }, (_, i) => `d${i}`).join('/');
    // act
    await addFiles(services, bucket, location, fifty.map((part) => file(part.name, part.content)), false);
    // assess
    const stored = await filesOf(bucket);
    expect(stored).toHaveLength(50);
    expect(stored.every((entry) => entry.path.startsWith(`${location}/page-`))).toBe(true);
    expect((await services.accounts.getAccount(accountId))!.usedBytes).toBe(size);
    expect(await services.listings.count(bucket.bucketUuid, stored[0]!.parentUuid)).toBe(50);
  });
});

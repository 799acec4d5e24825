/**
 * The sweeper against DynamoDB Local and s3rver: files stranded at status 1
 * (bytes uploaded, event lost), 2 (crash after the commit) and 3 (crash after
 * the CIDs, e.g. the replica copy failing) are taken to status 4 and charged
 * once; fresh files, uploads without bytes and finished files are left alone.
 * The sparse index attributes are set by hand (markPendingSince) as the entry
 * store will set them on each step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload } from '../../../lib/core/upload/uploads';
import { instrument } from '../../support/interleave';
import { STRANDED_AFTER_SECONDS, sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import type { Services } from '../../../lib/app/services';
import { buildTestServices, createTestTenant, testServices, type TestTenant } from '../../support/services';
import { makePoison, markPendingSince, statusOf, uploadedFile } from './helpers';

let services: Services;
let tenant: TestTenant;

beforeAll(async () => {
  services = await testServices();
  tenant = await createTestTenant(services);
});

const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000);
const usedBytes = async () => (await services.accounts.getAccount(tenant.accountId))!.usedBytes;

describe('sweepStrandedFiles', () => {
  it('takes files stranded at status 1 (bytes present), 2 and 3 to status 4, charging each once', async () => {
    // prepare
    const now = new Date();
    const atOne = await uploadedFile(services, tenant, 'one.txt', '1111');
    const atTwo = await uploadedFile(services, tenant, 'two.txt', '22222');
    // A run stopped right after its commit (before it reads the bytes for the CIDs) leaves the file at 2.
    const stopped = instrument(services);
    stopped.killBefore('blobs.read');
    await processObjectCreated(stopped.deps, atTwo.key).catch(() => undefined);
    expect(await statusOf(services, atTwo.uuid)).toBe(2);
    const atThree = await uploadedFile(services, tenant, 'three.txt', '333333');
    // A replica bucket that does not exist: the run computes the CIDs, then its replica copy goes nowhere.
    await processObjectCreated(buildTestServices({ REPLICA_BUCKET: 'no-such-replica-bucket' }), atThree.key).catch(() => undefined);
    expect(await statusOf(services, atThree.uuid)).toBe(3);
    for (const file of [atOne, atTwo, atThree]) await markPendingSince(services, file.uuid, minutesAgo(now, 11));
    const usageBefore = await usedBytes();

    // act
    const result = await sweepStrandedFiles(services, now);

    // assess
    expect(result).toMatchObject({ found: 3, completed: 3, failed: 0 });
    for (const file of [atOne, atTwo, atThree]) expect(await statusOf(services, file.uuid)).toBe(4);
    expect(await usedBytes()).toBe(usageBefore + 4); // only the status-1 file was not charged yet (2 and 3 were)
  });

  it('leaves alone files younger than the threshold, uploads without bytes and finished files', async () => {
    // prepare
    const now = new Date();
    const fresh = await uploadedFile(services, tenant, 'fresh.txt', 'fresh');
    await markPendingSince(services, fresh.uuid, new Date(now.getTime() - (STRANDED_AFTER_SECONDS - 60) * 1000));
    const neverUploaded = await requestUpload(services, tenant.bucket, { fileName: 'never.txt', directory: [], contentType: 'text/plain', overwrite: true });
    await markPendingSince(services, neverUploaded.uuid, minutesAgo(now, 30));

    // act
    const result = await sweepStrandedFiles(services, now);

    // assess
    expect(result).toMatchObject({ found: 0, completed: 0, failed: 0, released: 1 });
    expect(await statusOf(services, fresh.uuid)).toBe(1);
    expect(await statusOf(services, neverUploaded.uuid)).toBe(1);
  });

  it('counts a file that keeps failing and still completes the others (runs last: the poison stays stranded)', async () => {
    // prepare
    const now = new Date();
    const poison = await uploadedFile(services, tenant, 'poison.txt', 'poison');
    await makePoison(services, poison.uuid);
    const good = await uploadedFile(services, tenant, 'good.txt', 'good');
    await markPendingSince(services, poison.uuid, minutesAgo(now, 20));
    await markPendingSince(services, good.uuid, minutesAgo(now, 15));

    // act
    const result = await sweepStrandedFiles(services, now);

    // assess
    expect(result).toMatchObject({ found: 2, completed: 1, failed: 1 });
    expect(await statusOf(services, good.uuid)).toBe(4);
    expect(await statusOf(services, poison.uuid)).toBeLessThan(4);
  });
});

/**
 * The files.ready rule on DynamoDB Local (lib/store/lifecycle-store.ts `countInSession`, lib/store/webhook-store.ts):
 * racing runs count each file of a session once, and of many concurrent claims exactly one wins.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStatus, RecordStatus } from '../../../lib/core/model/entries';
import type { Services } from '../../../lib/app/services';
import { keys } from '../../../lib/store/keys';
import { testServices } from '../../support/services';

let services: Services;
beforeAll(async () => {
  services = await testServices();
});

async function putSession(sessionUuid: string, fileCount: number, status: 'open' | 'ended'): Promise<void> {
  const now = new Date().toISOString();
  await services.sessions.create({ sessionUuid, bucketUuid: 'b-1', accountId: 'a-1', status, fileCount, createdAt: now, updatedAt: now });
}

async function putAddressedFile(sessionUuid: string): Promise<string> {
  const uuid = randomUUID();
  await services.table.client.send(
    new PutCommand({ TableName: services.table.name, Item: { ...keys.entry(uuid), uuid, type: 'file', sessionUuid, fileStatus: FileStatus.ADDRESSED, recordStatus: RecordStatus.ACTIVE } }),
  );
  return uuid;
}

describe('files.ready: counting and claiming', () => {
  it('counts each file once however many runs race its last step, and lets exactly one of many claims win', async () => {
    // prepare
    const sessionUuid = randomUUID();
    await putSession(sessionUuid, 5, 'ended');
    const files = await Promise.all(Array.from({ length: 5 }, () => putAddressedFile(sessionUuid)));
    const step = (uuid: string) => services.lifecycle.transition(uuid, FileStatus.ADDRESSED, FileStatus.REPLICATED, {}, { settled: true, activeOnly: true, countInSession: sessionUuid });

    // act: three runs race each file's 3 → 4
    const moved = await Promise.all(files.flatMap((uuid) => [step(uuid), step(uuid), step(uuid)]));
    const claims = await Promise.all(Array.from({ length: 8 }, () => services.webhooks.claimReadySession(sessionUuid, new Date().toISOString())));
    const again = await services.webhooks.claimReadySession(sessionUuid, new Date().toISOString());

    // assess
    expect(moved.filter(Boolean)).toHaveLength(5);
    const won = claims.filter((claim) => claim !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ sessionUuid, fileCount: 5, settledCount: 5 });
    expect(again).toBeUndefined();
  });

  it('claims nothing while a file is on its way or the session is open, and a released claim can be taken again', async () => {
    // prepare
    const open = randomUUID();
    const ended = randomUUID();
    await putSession(open, 1, 'open');
    await putSession(ended, 2, 'ended');
    const [openFile, first, second] = [await putAddressedFile(open), await putAddressedFile(ended), await putAddressedFile(ended)];
    const step = (uuid: string, session: string) => services.lifecycle.transition(uuid, FileStatus.ADDRESSED, FileStatus.REPLICATED, {}, { settled: true, countInSession: session });
    await step(openFile!, open);
    await step(first!, ended);

    // act
    const whileOpen = await services.webhooks.claimReadySession(open, new Date().toISOString());
    const oneOfTwo = await services.webhooks.claimReadySession(ended, new Date().toISOString());
    await step(second!, ended);
    const claimed = await services.webhooks.claimReadySession(ended, new Date().toISOString());
    await services.webhooks.releaseReadySession(ended, claimed!.readyAt);
    const reclaimed = await services.webhooks.claimReadySession(ended, new Date().toISOString());

    // assess
    expect(whileOpen).toBeUndefined();
    expect(oneOfTwo).toBeUndefined();
    expect(claimed).toMatchObject({ settledCount: 2, fileCount: 2 });
    expect(reclaimed).toBeDefined();
  });
});

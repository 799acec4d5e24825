/**
 * The anonymous gateway reads the CID index a page at a time and stops at the first
 * servable public file: its DynamoDB queries are counted on the real emulator.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { CID_LOOKUP_PAGE_SIZE } from '../../../lib/store/entry-store';
import { answerOf } from '../../support/downloads';
import { httpEvent } from '../../support/events';
import { createTestBucket, createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, uploadFile } from './helpers';

let services: Services;
let tenant: TestTenant;
let queries = 0;
let itemsRead = 0;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services);
  services.clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        queries++;
        itemsRead += (result.output as { Count?: number }).Count ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'countQueries' },
  );
});

/** Stores `count` files with the same bytes in `bucketUuid`; their CID. */
async function sameContent(bucketUuid: string, count: number, bytes: string): Promise<string> {
  const uploads = await Promise.all(
    Array.from({ length: count }, (_, i) => uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: `copy-${i}.txt`, bytes })),
  );
  const detail = await call('fileDetail', { params: { bucketUuid, id: uploads[0]!.fileUuid }, headers: tenant.headers.basic });
  return detail.body.data.file.CID as string;
}

async function queriesOfGateway(cid: string) {
  queries = 0;
  itemsRead = 0;
  const answer = await answerOf(ipfsGateway, httpEvent({ method: 'GET', path: '/ipfs/{cid}', rawPath: `/ipfs/${cid}`, pathParameters: { cid } }));
  return { answer, queries, itemsRead };
}

describe('the gateway’s CID lookup', () => {
  it('reads one page of the index when its first entries are servable, however many files share the CID', async () => {
    // prepare
    const cid = await sameContent(tenant.bucket.bucketUuid, CID_LOOKUP_PAGE_SIZE + 3, 'shared by many public files');

    // act
    const read = await queriesOfGateway(cid);

    // assess
    expect(read.answer.status).toBe(200);
    expect({ queries: read.queries, itemsRead: read.itemsRead }).toEqual({ queries: 1, itemsRead: CID_LOOKUP_PAGE_SIZE });
  });

  it('pages on through private files until none is left, then answers 404', async () => {
    // prepare
    const hidden = await createTestBucket(services, tenant.accountId, { public: false });
    const cid = await sameContent(hidden.bucketUuid, CID_LOOKUP_PAGE_SIZE + 3, 'held by private files only');

    // act
    const read = await queriesOfGateway(cid);

    // assess
    expect(read.answer.status).toBe(404);
    expect({ queries: read.queries, itemsRead: read.itemsRead }).toEqual({ queries: 2, itemsRead: CID_LOOKUP_PAGE_SIZE + 3 });
  });
});

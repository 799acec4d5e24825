/**
 * The indexes that project keys only (infra/storage-table.json, docs/index-plan.md) still answer what
 * their queries answered with every attribute: listing pages by createTime, updateTime and size (keys
 * from the index, records from the table, in index order, page by page), and the ByRef lists
 * (here: an account's buckets; IPNS names and tokens in their own tests), on DynamoDB Local with the table as deployed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import tableDefinition from '../../../infra/storage-table.json';
import { listDirectory } from '../../../lib/core/read/listing';
import { makeDirectory } from '../../../lib/quantum/files';
import type { EntryRecord } from '../../../lib/core/model/entries';
import type { BucketRecord } from '../../../lib/core/ports';
import type { Services } from '../../../lib/app/services';
import { createTestTenant, testServices } from '../../support/services';

let services: Services;
let bucket: BucketRecord;
let accountId: string;

beforeAll(async () => {
  services = await testServices();
  ({ bucket, accountId } = await createTestTenant(services));
});

const projection = (name: string) => tableDefinition.GlobalSecondaryIndexes.find((index) => index.IndexName === name)?.Projection.ProjectionType;

describe('KEYS_ONLY indexes', () => {
  it('are the ones docs/index-plan.md names', () => {
    // assess
    for (const name of ['ByRef', 'ListByCreateTime', 'ListByUpdateTime', 'ListBySize', 'ByDueDate', 'ByPendingStep']) expect(projection(name), name).toBe('KEYS_ONLY');
    expect(projection('ListByName')).toBe('ALL');
  });

  it('list a directory by createTime, updateTime and size, both ways, page by page, with whole records', async () => {
    // prepare: 7 folders made one after another (createTime and updateTime increase; sizes are all 0, so ties go by uuid)
    const parent = `keys-only-${Date.now()}`;
    for (let i = 0; i < 7; i++) await makeDirectory(services, bucket, `${parent}/folder-${i}`);
    const claim = await services.entries.getPathClaim(bucket.bucketUuid, parent);
    const directoryUuid = claim!.entryUuid;
    const all = await services.listings.listAll(bucket.bucketUuid, directoryUuid);
    const byField = {
      createTime: [...all].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.uuid < b.uuid ? -1 : 1)),
      updateTime: [...all].sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.uuid < b.uuid ? -1 : 1)),
      size: [...all].sort((a, b) => (a.uuid < b.uuid ? -1 : 1)),
    } as const;

    for (const field of ['createTime', 'updateTime', 'size'] as const) {
      for (const desc of [false, true]) {
        // act
        const items: EntryRecord[] = [];
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const page = await listDirectory(services.listings, { bucketUuid: bucket.bucketUuid, directoryUuid, page: 1, limit: 3, orderBy: [field], desc: [desc], nextToken });
          items.push(...page.items);
          expect(page.total).toBe(7);
          nextToken = page.nextToken;
          pages++;
        } while (nextToken);
        const third = await listDirectory(services.listings, { bucketUuid: bucket.bucketUuid, directoryUuid, page: 3, limit: 3, orderBy: [field], desc: [desc] });

        // assess
        const expected = desc ? [...byField[field]].reverse() : byField[field];
        expect(items.map((entry) => entry.uuid), `${field} desc=${desc}`).toEqual(expected.map((entry) => entry.uuid));
        expect(items).toEqual(expected);
        expect(pages).toBe(3);
        expect(third.items.map((entry) => entry.uuid)).toEqual(expected.slice(6).map((entry) => entry.uuid));
      }
    }
  });

  it('list an account\'s buckets (ByRef) with whole records', async () => {
    // act
    const listed = await services.buckets.list(accountId);

    // assess
    expect(listed.map((record) => record.bucketUuid)).toEqual([bucket.bucketUuid]);
    expect(listed[0]).toEqual(await services.buckets.get(bucket.bucketUuid));
  });
});

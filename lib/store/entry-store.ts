import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EntryRecord } from '../core/model/entries';
import type {
  EntryStore, PathClaim } from '../core/ports';
import { keys } from './keys';
import { queryAll, stripKeys, type Table, getConsistent } from './table';

/** Index items read per page by findByCidInAnyBucket. */
export const CID_LOOKUP_PAGE_SIZE = 10;

/** Entries (files and directories) and path claims: reads and lookups. */
export class DynamoEntryStore implements EntryStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async get(uuid: string): Promise<EntryRecord | undefined> {
    const Item = await getConsistent(this.table, keys.entry(uuid));
    return Item ? stripKeys<EntryRecord>(Item) : undefined;
  }

  async getByNumber(number: number): Promise<EntryRecord | undefined> {
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.name,
        IndexName: 'ByRef',
        KeyConditionExpression: 'refPk = :ref',
        ExpressionAttributeValues: { ':ref': keys.fileNumberRef(number) },
        Limit: 1,
      }),
    );
    // The index is eventually consistent and KEYS_ONLY (docs/index-plan.md): read the record itself.
    const pk = Items?.[0]?.pk as string | undefined;
    const uuid = pk?.replace(/^ENTRY#/, '');
    return uuid ? this.get(uuid) : undefined;
  }

  findByCid(bucketUuid: string, cid: { v0?: string; v1?: string }): Promise<EntryRecord[]> {
    return this.queryCid(cid, keys.cidSortPrefix(bucketUuid));
  }

  async *findByCidInAnyBucket(cid: { v0?: string; v1?: string }): AsyncGenerator<EntryRecord> {
    const lookups: [index: string, attribute: string, value: string][] = [];
    if (cid.v1) lookups.push(['ByCid', 'cidPk', keys.cid(cid.v1)]);
    if (cid.v0) lookups.push(['ByCidV0', 'cidV0Pk', keys.cid(cid.v0)]);
    for (const [IndexName, attribute, value] of lookups) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.table.client.send(
          new QueryCommand({
            TableName: this.name,
            IndexName,
            KeyConditionExpression: '#key = :value',
            ExpressionAttributeNames: { '#key': attribute },
            ExpressionAttributeValues: { ':value': value },
            ScanIndexForward: false,
            Limit: CID_LOOKUP_PAGE_SIZE,
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) yield stripKeys<EntryRecord>(item);
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  }

  private async queryCid(cid: { v0?: string; v1?: string }, sortPrefix: string | undefined): Promise<EntryRecord[]> {
    const lookups: Promise<Record<string, unknown>[]>[] = [];
    if (cid.v1) lookups.push(this.queryIndex('ByCid', 'cidPk', keys.cid(cid.v1), sortPrefix));
    if (cid.v0) lookups.push(this.queryIndex('ByCidV0', 'cidV0Pk', keys.cid(cid.v0), sortPrefix));
    const items = (await Promise.all(lookups)).flat();
    return items.map((item) => stripKeys<EntryRecord>(item));
  }

  private queryIndex(index: string, attribute: string, value: string, sortPrefix?: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.table, {
      IndexName: index,
      KeyConditionExpression: sortPrefix === undefined ? '#key = :value' : '#key = :value AND begins_with(cidSk, :prefix)',
      ExpressionAttributeNames: { '#key': attribute },
      ExpressionAttributeValues: { ':value': value, ...(sortPrefix === undefined ? {} : { ':prefix': sortPrefix }) },
      ScanIndexForward: false,
    });
  }

  async getPathClaim(bucketUuid: string, path: string): Promise<PathClaim | undefined> {
    const Item = await getConsistent(this.table, keys.path(bucketUuid, path));
    return Item ? { path, entryUuid: Item.entryUuid as string, type: Item.type as PathClaim['type'] } : undefined;
  }

  async listSubtreeClaims(bucketUuid: string, directoryPath: string): Promise<PathClaim[]> {
    const whole = directoryPath === '';
    const items = await queryAll<Record<string, unknown>>(this.table, {
      KeyConditionExpression: whole ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.pathPartition(bucketUuid), ...(whole ? {} : { ':prefix': `${directoryPath}/` }) },
      ConsistentRead: true,
    });
    return items.map((item) => ({ path: item.sk as string, entryUuid: item.entryUuid as string, type: item.type as PathClaim['type'] }));
  }
}

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EntryRecord } from '../core/model/entries';
import type {
  FileSetPage, FileSetQuery,
  ListingStore, ListPage } from '../core/ports';
import { invalidNextToken } from '../errors';
import { issueKeyCursor, openKeyCursor } from './cursor';
import { keys, LISTING_INDEX, LISTING_SORT_ATTRIBUTE } from './keys';
import { batchGetConsistent, batchGetInOrder, queryAll, stripKeys, type Table, getConsistent } from './table';

/**
 * Sort fields whose listing index projects keys only (infra/storage-table.json; why: docs/index-plan.md):
 * a page reads the keys there and the records from the table. `name` (the default order, and the index
 * listAll and readChildren read) keeps every attribute.
 */
const KEYS_ONLY_LISTING: ReadonlySet<string> = new Set(['createTime', 'updateTime', 'size']);

/** Directory listings (one index per sort field), child counts and the file sets of a bucket or upload session. */
export class DynamoListingStore implements ListingStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async listFiles(query: FileSetQuery): Promise<FileSetPage> {
    const [indexName, partitionAttribute, partition] = query.sessionUuid
      ? ['BySessionFiles', 'sessionPk', keys.sessionFiles(query.bucketUuid, query.sessionUuid)]
      : ['ByBucketFiles', 'filesPk', keys.bucketFiles(query.bucketUuid)];
    const filters = ['recordStatus = :recordStatus', ...(query.fileStatus === undefined ? [] : ['fileStatus = :fileStatus'])];
    const base = {
      IndexName: indexName,
      KeyConditionExpression: '#partition = :partition',
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: { '#partition': partitionAttribute },
      ExpressionAttributeValues: {
        ':partition': partition,
        ':recordStatus': query.recordStatus,
        ...(query.fileStatus === undefined ? {} : { ':fileStatus': query.fileStatus }),
      },
    };
    const first =
      query.after === undefined ? undefined : openKeyCursor(query.after, query.scope ?? '', { partitionAttribute, partition, sortAttribute: 'filesSk' });
    // A filter applies after DynamoDB's page limit, so pages are read until this one is full.
    const page = async () => {
      const items: Record<string, unknown>[] = [];
      let skip = first ? 0 : query.offset;
      let startKey: Record<string, unknown> | undefined = first;
      do {
        const result = await this.queryFromClientKey(
          new QueryCommand({ ...base, TableName: this.name, ExclusiveStartKey: startKey, Limit: Math.max(100, query.limit + 1) }),
          first !== undefined,
        );
        for (const item of result.Items ?? []) {
          if (skip > 0) skip--;
          else if (items.length <= query.limit) items.push(item);
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey && items.length <= query.limit);
      const more = items.length > query.limit;
      const last = items[query.limit - 1];
      const lastKey = more && last ? { pk: last.pk, sk: last.sk, [partitionAttribute]: last[partitionAttribute], filesSk: last.filesSk } : undefined;
      return { items: items.slice(0, query.limit).map((item) => stripKeys<EntryRecord>(item)), lastKey };
    };
    const total = async () => {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await this.table.client.send(new QueryCommand({ ...base, TableName: this.name, Select: 'COUNT', ExclusiveStartKey: startKey }));
        count += result.Count ?? 0;
        startKey = result.LastEvaluatedKey;
      } while (startKey);
      return count;
    };
    const [{ items, lastKey }, count] = await Promise.all([page(), total()]);
    return { items, total: count, ...(lastKey && query.scope !== undefined ? { nextToken: issueKeyCursor(lastKey, query.scope) } : {}) };
  }

  async count(bucketUuid: string, directoryUuid: string | null): Promise<number> {
    const Item = await getConsistent(this.table, keys.directoryCounter(bucketUuid, directoryUuid));
    return Number(Item?.count ?? 0);
  }

  listingScope(bucketUuid: string, directoryUuid: string | null): string {
    return keys.listing(bucketUuid, directoryUuid);
  }

  async listPage(input: Parameters<ListingStore['listPage']>[0]): Promise<ListPage> {
    const listPk = keys.listing(input.bucketUuid, input.directoryUuid);
    const clientKey =
      input.after === undefined ? undefined : openKeyCursor(input.after, input.scope, { partitionAttribute: 'listPk', partition: listPk, sortAttribute: LISTING_SORT_ATTRIBUTE[input.orderBy] });
    const query = (startKey: Record<string, unknown> | undefined, limit: number) =>
      this.queryFromClientKey(
        new QueryCommand({
          TableName: this.name,
          IndexName: LISTING_INDEX[input.orderBy],
          KeyConditionExpression: 'listPk = :listPk',
          ExpressionAttributeValues: { ':listPk': listPk },
          ScanIndexForward: !input.descending,
          Limit: limit,
          ExclusiveStartKey: startKey,
          ProjectionExpression: input.keysOnly ? `pk, sk, listPk, ${LISTING_SORT_ATTRIBUTE[input.orderBy]}` : undefined,
        }),
        startKey !== undefined && startKey === clientKey,
      );
    const page = (items: readonly Record<string, unknown>[], lastKey: Record<string, unknown> | undefined): ListPage => ({
      items: items.map((item) => stripKeys<EntryRecord>(item)),
      ...(lastKey ? { nextToken: issueKeyCursor(lastKey, input.scope) } : {}),
    });
    if (input.keysOnly || !KEYS_ONLY_LISTING.has(input.orderBy)) {
      const { Items, LastEvaluatedKey } = await query(clientKey, input.limit);
      return page(Items ?? [], LastEvaluatedKey);
    }
    // A KEYS_ONLY index (docs/index-plan.md): its keys, then the records (eventually consistent, as the
    // index is). A record no longer in this directory (moved or removed since the index saw it) is
    // left out and the page is filled from further index entries, so a short page still means the end.
    const items: Record<string, unknown>[] = [];
    let startKey = clientKey;
    let lastKey: Record<string, unknown> | undefined;
    do {
      const { Items, LastEvaluatedKey } = await query(startKey, input.limit - items.length);
      const records = await batchGetInOrder(this.table, (Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string })), { consistent: false });
      items.push(...records.filter((record) => record.listPk === listPk));
      lastKey = LastEvaluatedKey;
      startKey = LastEvaluatedKey;
    } while (items.length < input.limit && startKey);
    return page(items, lastKey);
  }

  async listAll(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[]> {
    const items = await queryAll<Record<string, unknown>>(this.table, {
      IndexName: LISTING_INDEX.name,
      KeyConditionExpression: 'listPk = :listPk',
      ExpressionAttributeValues: { ':listPk': keys.listing(bucketUuid, directoryUuid) },
    });
    return items.map((item) => stripKeys<EntryRecord>(item));
  }

  async readChildren(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[] | undefined> {
    const listPk = keys.listing(bucketUuid, directoryUuid);
    const [indexed, count] = await Promise.all([
      queryAll<Record<string, unknown>>(this.table, {
        IndexName: LISTING_INDEX.name,
        KeyConditionExpression: 'listPk = :listPk',
        ExpressionAttributeValues: { ':listPk': listPk },
        ProjectionExpression: 'pk, sk',
      }),
      this.count(bucketUuid, directoryUuid),
    ]);
    const current = await batchGetConsistent(this.table, indexed.map((item) => ({ pk: item.pk as string, sk: item.sk as string })));
    const children = current.filter((item) => item.listPk === listPk);
    return children.length === count ? children.map((item) => stripKeys<EntryRecord>(item)) : undefined;
  }


  /**
   * Runs a query whose start key may come from a client's nextToken: a key
   * DynamoDB refuses is then the client's mistake (422), not a 500.
   */
  private async queryFromClientKey(command: QueryCommand, startKeyFromClient: boolean) {
    try {
      return await this.table.client.send(command);
    } catch (error) {
      if (startKeyFromClient && (error as { name?: unknown } | null)?.name === 'ValidationException') throw invalidNextToken();
      throw error;
    }
  }
}

import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { FileStatus, RecordStatus, type EntryRecord } from '../domain/entries';
import type { ChargeLimits, CommitFailure, PathClaim } from '../domain/ports';
import { invalidNextToken } from '../errors';
import { keys, LISTING_INDEX, listingKeys, pendingKeys, pendingPartition, PENDING_SHARDS } from './keys';
import { failedConditionIndex, isConditionFailure, queryAll, stripKeys, type Table } from './table';
import { adjustCount, chargeUsage, checkClaim, claimPath, refund, releasePath, retireReplaced, type TransactItem } from './transact-items';

export type { ChargeLimits, CommitFailure, PathClaim };

export interface CommitInput {
  readonly file: EntryRecord;
  /** Bytes of the uploaded object. */
  readonly size: number;
  readonly limits: ChargeLimits;
  /** The claim of the file currently at the path, which this upload replaces. */
  readonly replacing?: PathClaim;
  /** The file's directory, which must still be there (undefined at the root or when created by this commit's run). */
  readonly anchor?: { readonly path: string; readonly entryUuid: string };
  readonly now: string;
}

export interface ListPage {
  readonly items: EntryRecord[];
  readonly lastKey?: Record<string, unknown>;
}

export interface FileSetQuery {
  readonly bucketUuid: string;
  /** The files of this upload session only. */
  readonly sessionUuid?: string;
  readonly fileStatus?: number;
  /** Active files (5) or files marked for deletion (8). */
  readonly recordStatus: number;
  /** Matching files to skip before the page (ignored items of earlier pages). */
  readonly offset: number;
  readonly limit: number;
  /** Where the previous page stopped (its `lastKey`). */
  readonly startKey?: Record<string, unknown>;
}

export interface FileSetPage {
  readonly items: EntryRecord[];
  readonly total: number;
  /** Present when more files follow: the index position after the last item. */
  readonly lastKey?: Record<string, string>;
}

export interface DownloadTokenRecord {
  readonly tokenHash: string;
  readonly fileUuid: string;
  readonly generation: number;
  readonly expiresAt: number;
}

/** Index items read per page by findByCidInAnyBucket. */
export const CID_LOOKUP_PAGE_SIZE = 10;

/** Files, directories, path claims, listing counters and download tokens of all buckets. */
export interface EntryStore {
  get(uuid: string): Promise<EntryRecord | undefined>;
  getByNumber(number: number): Promise<EntryRecord | undefined>;
  findByCid(bucketUuid: string, cid: { v0?: string; v1?: string }): Promise<EntryRecord[]>;
  /**
   * The entries, in any bucket, with this CID (the public gateway's lookup), read from
   * the CID index one small page (CID_LOOKUP_PAGE_SIZE items) at a time as the caller
   * iterates: a caller that stops at the first servable entry reads one page.
   */
  findByCidInAnyBucket(cid: { v0?: string; v1?: string }): AsyncIterable<EntryRecord>;
  /**
   * One page of the files of a bucket, or of one upload session of it, oldest
   * first (ByBucketFiles / BySessionFiles), with the number of matching files.
   */
  listFiles(query: FileSetQuery): Promise<FileSetPage>;
  getPathClaim(bucketUuid: string, path: string): Promise<PathClaim | undefined>;
  /** Every claim strictly under `directoryPath` (its whole subtree); `''` gives every claim of the bucket. */
  listSubtreeClaims(bucketUuid: string, directoryPath: string): Promise<PathClaim[]>;
  /**
   * The 1→2 step in one transaction: the file becomes status 2 and listed, the
   * path is claimed (replacing the file there, if any), account usage and bucket
   * size are charged by the difference, within quota and bucket limit.
   */
  commitUpload(input: CommitInput): Promise<CommitFailure | undefined>;
  /**
   * Moves a file from one status to another; false when it was not in `from`.
   * `settled` takes it out of the sweeper's index (status 4 and errors).
   */
  transition(uuid: string, from: number, to: number, set?: Record<string, unknown>, options?: { settled?: boolean }): Promise<boolean>;
  /**
   * Uuids of files waiting for a lifecycle step since before `beforeIso`
   * (ByPendingStep, every shard), oldest first per shard, at most `limit` in all.
   */
  pendingFiles(beforeIso: string, limit: number): Promise<string[]>;
  /** Takes a file out of the sweeper's index (its upload will not come). */
  clearPending(uuid: string): Promise<void>;
  /** Status 2→3 with the CIDs and their lookup keys. */
  recordCids(file: EntryRecord, cids: { cidV0: string; cidV1: string }, now: string): Promise<boolean>;
  markForDeletion(file: EntryRecord, holdsPath: boolean, now: string, purgeAt: string): Promise<boolean>;
  /** Removes a file now (Quantum remove): record, path claim, listing, charge. */
  deleteFile(file: EntryRecord, holdsPath: boolean): Promise<boolean>;
  /** Removes an (empty) directory: record, path claim, listing, its counter. */
  deleteDirectory(directory: EntryRecord): Promise<boolean>;
  /** Removes a file marked for deletion and gives its charge back. */
  purge(file: EntryRecord): Promise<boolean>;
  duePurges(nowIso: string, limit: number): Promise<string[]>;
  count(bucketUuid: string, directoryUuid: string | null): Promise<number>;
  listPage(input: {
    bucketUuid: string;
    directoryUuid: string | null;
    orderBy: keyof typeof LISTING_INDEX;
    descending: boolean;
    limit: number;
    startKey?: Record<string, unknown>;
    keysOnly?: boolean;
  }): Promise<ListPage>;
  listAll(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[]>;
  putDownloadToken(token: DownloadTokenRecord): Promise<void>;
  getDownloadToken(tokenHash: string): Promise<DownloadTokenRecord | undefined>;
  /** Spends the token and bumps the file's generation, atomically; false when either was stale. */
  redeemDownloadToken(token: DownloadTokenRecord): Promise<boolean>;
}

export class DynamoEntryStore implements EntryStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async get(uuid: string): Promise<EntryRecord | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.name, Key: keys.entry(uuid), ConsistentRead: true }),
    );
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
    // The index is eventually consistent: read the record itself.
    const uuid = Items?.[0]?.uuid as string | undefined;
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
    // A filter applies after DynamoDB's page limit, so pages are read until this one is full.
    const page = async () => {
      const items: Record<string, unknown>[] = [];
      let skip = query.offset;
      let startKey = query.startKey;
      do {
        const result = await this.queryFromClientKey(
          new QueryCommand({ ...base, TableName: this.name, ExclusiveStartKey: startKey, Limit: Math.max(100, query.limit + 1) }),
          query.startKey !== undefined,
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
    return { items, total: count, lastKey: lastKey as Record<string, string> | undefined };
  }

  async getPathClaim(bucketUuid: string, path: string): Promise<PathClaim | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.name, Key: keys.path(bucketUuid, path), ConsistentRead: true }),
    );
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

  async commitUpload({ file, size, limits, replacing, anchor, now }: CommitInput): Promise<CommitFailure | undefined> {
    const delta = size - (replacing?.chargedBytes ?? 0);
    const committed: EntryRecord = { ...file, size, chargedBytes: size, updatedAt: now, fileStatus: FileStatus.UPLOADED };
    const listing = listingKeys(committed);
    const pending = pendingKeys(file.uuid, now);
    // Reasons are reported by the index of the item whose condition failed: keep them in this order.
    const labelled: [CommitFailure, TransactItem][] = [
      [
        'file-changed',
        {
          Update: {
            TableName: this.name,
            Key: keys.entry(file.uuid),
            UpdateExpression:
              'SET fileStatus = :uploaded, size = :size, chargedBytes = :size, updatedAt = :now, parentUuid = :parentUuid, objectKey = :objectKey, ' +
              'listPk = :listPk, byName = :byName, byCreateTime = :byCreateTime, byUpdateTime = :byUpdateTime, bySize = :bySize, ' +
              'pendingPk = :pendingPk, pendingAt = :pendingAt ' +
              'REMOVE expiresAt',
            ConditionExpression: 'fileStatus = :requested AND recordStatus = :active',
            ExpressionAttributeValues: {
              ':uploaded': FileStatus.UPLOADED, ':requested': FileStatus.REQUESTED, ':active': RecordStatus.ACTIVE, ':size': size, ':now': now, ':parentUuid': file.parentUuid, ':objectKey': file.objectKey,
              ':listPk': listing.listPk, ':byName': listing.byName, ':byCreateTime': listing.byCreateTime,
              ':byUpdateTime': listing.byUpdateTime, ':bySize': listing.bySize, ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt,
            },
          },
        },
      ],
      ...chargeUsage(this.name, limits, delta).map((item, index): [CommitFailure, TransactItem] => [index === 0 ? 'account-limit' : 'bucket-limit', item]),
      ['path-changed', claimPath(this.name, committed, replacing?.entryUuid)],
      replacing ? ['replaced-changed', retireReplaced(this.name, replacing.entryUuid)] : ['path-changed', adjustCount(this.name, file.bucketUuid, file.parentUuid, 1)],
    ];
    // The folder must still be there: a file listed under a removed folder would be seen by nobody.
    if (anchor) labelled.push(['parent-changed', checkClaim(this.name, file.bucketUuid, anchor.path, anchor.entryUuid)]);
    try {
      await this.transact(labelled.map(([, item]) => item));
      return undefined;
    } catch (error) {
      const index = failedConditionIndex(error);
      if (index >= 0) return labelled[index]![0];
      throw error;
    }
  }

  async transition(uuid: string, from: number, to: number, set: Record<string, unknown> = {}, options: { settled?: boolean } = {}): Promise<boolean> {
    const names = Object.keys(set);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.name,
          Key: keys.entry(uuid),
          UpdateExpression: `SET fileStatus = :to${names.map((name, i) => `, #s${i} = :s${i}`).join('')}${options.settled ? ' REMOVE pendingPk, pendingAt' : ''}`,
          ConditionExpression: 'fileStatus = :from',
          ExpressionAttributeNames: names.length ? Object.fromEntries(names.map((name, i) => [`#s${i}`, name])) : undefined,
          ExpressionAttributeValues: { ':to': to, ':from': from, ...Object.fromEntries(names.map((name, i) => [`:s${i}`, set[name]])) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async pendingFiles(beforeIso: string, limit: number): Promise<string[]> {
    const perShard = Math.max(1, Math.ceil(limit / PENDING_SHARDS));
    const shards = await Promise.all(
      Array.from({ length: PENDING_SHARDS }, async (_, shard) => {
        const { Items } = await this.table.client.send(
          new QueryCommand({
            TableName: this.name,
            IndexName: 'ByPendingStep',
            KeyConditionExpression: 'pendingPk = :shard AND pendingAt < :before',
            ExpressionAttributeValues: { ':shard': pendingPartition(shard), ':before': beforeIso },
            Limit: perShard,
          }),
        );
        return (Items ?? []).map((item) => String(item.pk).replace(/^ENTRY#/, ''));
      }),
    );
    return shards.flat().slice(0, limit);
  }

  async clearPending(uuid: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.name,
        Key: keys.entry(uuid),
        UpdateExpression: 'REMOVE pendingPk, pendingAt',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ).catch((error) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  recordCids(file: EntryRecord, cids: { cidV0: string; cidV1: string }, now: string): Promise<boolean> {
    return this.transition(file.uuid, FileStatus.UPLOADED, FileStatus.ADDRESSED, {
      cidV0: cids.cidV0,
      cidV1: cids.cidV1,
      cidPk: keys.cid(cids.cidV1),
      cidV0Pk: keys.cid(cids.cidV0),
      cidSk: keys.cidSort(file.bucketUuid, file.createdAt, file.uuid),
      updatedAt: now,
      pendingAt: pendingKeys(file.uuid, now).pendingAt,
    });
  }

  async markForDeletion(file: EntryRecord, holdsPath: boolean, now: string, purgeAt: string): Promise<boolean> {
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          UpdateExpression:
            'SET recordStatus = :marked, markedForDeletionAt = :now, purgeAt = :purgeAt, duePk = :due, dueAt = :purgeAt, updatedAt = :now ' +
            'REMOVE listPk, byName, byCreateTime, byUpdateTime, bySize, expiresAt, pendingPk, pendingAt',
          ConditionExpression: 'recordStatus = :active AND fileStatus = :observed',
          ExpressionAttributeValues: {
            ':marked': RecordStatus.MARKED_FOR_DELETION, ':active': RecordStatus.ACTIVE, ':observed': file.fileStatus,
            ':now': now, ':purgeAt': purgeAt, ':due': keys.purgeSchedule,
          },
        },
      },
    ];
    if (holdsPath) items.push(releasePath(this.name, file), adjustCount(this.name, file.bucketUuid, file.parentUuid, -1));
    return this.transactOrFalse(items);
  }

  deleteFile(file: EntryRecord, holdsPath: boolean): Promise<boolean> {
    const charged = file.chargedBytes ?? 0;
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          ConditionExpression: 'recordStatus = :active AND fileStatus = :observed',
          ExpressionAttributeValues: { ':active': RecordStatus.ACTIVE, ':observed': file.fileStatus },
        },
      },
    ];
    if (charged > 0) items.push(...refund(this.name, file, charged));
    if (holdsPath) items.push(releasePath(this.name, file), adjustCount(this.name, file.bucketUuid, file.parentUuid, -1));
    return this.transactOrFalse(items);
  }

  deleteDirectory(directory: EntryRecord): Promise<boolean> {
    return this.transactOrFalse([
      { Delete: { TableName: this.name, Key: keys.entry(directory.uuid), ConditionExpression: 'attribute_exists(pk)' } },
      releasePath(this.name, directory),
      adjustCount(this.name, directory.bucketUuid, directory.parentUuid, -1),
      {
        Delete: {
          TableName: this.name,
          Key: keys.directoryCounter(directory.bucketUuid, directory.uuid),
          // Only an empty directory goes; a child that arrived meanwhile keeps it.
          ConditionExpression: 'attribute_not_exists(pk) OR #count = :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
    ]);
  }

  purge(file: EntryRecord): Promise<boolean> {
    const charged = file.chargedBytes ?? 0;
    return this.transactOrFalse([
      {
        Delete: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          ConditionExpression: 'recordStatus = :marked',
          ExpressionAttributeValues: { ':marked': RecordStatus.MARKED_FOR_DELETION },
        },
      },
      ...(charged > 0 ? refund(this.name, file, charged) : []),
    ]);
  }

  async duePurges(nowIso: string, limit: number): Promise<string[]> {
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.name,
        IndexName: 'ByDueDate',
        KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': keys.purgeSchedule, ':now': nowIso },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => String(item.pk).replace(/^ENTRY#/, ''));
  }

  async count(bucketUuid: string, directoryUuid: string | null): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.name, Key: keys.directoryCounter(bucketUuid, directoryUuid), ConsistentRead: true }),
    );
    return Number(Item?.count ?? 0);
  }

  async listPage(input: Parameters<EntryStore['listPage']>[0]): Promise<ListPage> {
    const { Items, LastEvaluatedKey } = await this.queryFromClientKey(
        new QueryCommand({
          TableName: this.name,
          IndexName: LISTING_INDEX[input.orderBy],
          KeyConditionExpression: 'listPk = :listPk',
          ExpressionAttributeValues: { ':listPk': keys.listing(input.bucketUuid, input.directoryUuid) },
          ScanIndexForward: !input.descending,
          Limit: input.limit,
          ExclusiveStartKey: input.startKey,
          ProjectionExpression: input.keysOnly ? 'pk, sk, listPk, byName, byCreateTime, byUpdateTime, bySize' : undefined,
        }),
      input.startKey !== undefined,
    );
    return { items: (Items ?? []).map((item) => stripKeys<EntryRecord>(item)), lastKey: LastEvaluatedKey };
  }

  async listAll(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[]> {
    const items = await queryAll<Record<string, unknown>>(this.table, {
      IndexName: LISTING_INDEX.name,
      KeyConditionExpression: 'listPk = :listPk',
      ExpressionAttributeValues: { ':listPk': keys.listing(bucketUuid, directoryUuid) },
    });
    return items.map((item) => stripKeys<EntryRecord>(item));
  }

  async putDownloadToken(token: DownloadTokenRecord): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.name,
        Item: { ...keys.downloadToken(token.tokenHash), ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getDownloadToken(tokenHash: string): Promise<DownloadTokenRecord | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.name, Key: keys.downloadToken(tokenHash), ConsistentRead: true }),
    );
    return Item ? stripKeys<DownloadTokenRecord>(Item) : undefined;
  }

  redeemDownloadToken(token: DownloadTokenRecord): Promise<boolean> {
    return this.transactOrFalse([
      { Delete: { TableName: this.name, Key: keys.downloadToken(token.tokenHash), ConditionExpression: 'attribute_exists(pk)' } },
      {
        Update: {
          TableName: this.name,
          Key: keys.entry(token.fileUuid),
          UpdateExpression: 'SET downloadGeneration = :next',
          ConditionExpression:
            'recordStatus = :active AND (downloadGeneration = :generation OR (attribute_not_exists(downloadGeneration) AND :generation = :zero))',
          ExpressionAttributeValues: { ':active': RecordStatus.ACTIVE, ':generation': token.generation, ':next': token.generation + 1, ':zero': 0 },
        },
      },
    ]);
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

  private async transact(items: TransactItem[]): Promise<void> {
    await this.table.client.send(new TransactWriteCommand({ TransactItems: items }));
  }

  private async transactOrFalse(items: TransactItem[]): Promise<boolean> {
    try {
      await this.transact(items);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

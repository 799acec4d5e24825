import { BatchGetCommand, BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EntryRecord, FileRecord } from '../domain/entries';
import type { CommitFailure, CommitIntent, PathClaim, StagedCommit, UploadSnapshot, UploadStore } from '../domain/ports';
import { keys } from './keys';
import { NumberAllocator } from './number-allocator';
import { failedConditionIndex, isConditionFailure, stripKeys, type Table } from './table';
import {
  adjustCount,
  chargeUsage,
  checkClaim,
  claimPath,
  entryItem,
  MAX_TRANSACTION_ITEMS,
  retireReplaced,
  type TransactItem,
} from './transact-items';

/** DynamoDB's limits per BatchGetItem / BatchWriteItem call. */
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
/** Retries of a batch call's unprocessed part (DynamoDB answers part of a batch when throttled). */
const UNPROCESSED_RETRIES = 8;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoUploadStore implements UploadStore {
  private readonly numbers: NumberAllocator;

  constructor(private readonly table: Table) {
    this.numbers = new NumberAllocator(table);
  }

  takeNumbers(count: number): Promise<number[]> {
    return this.numbers.take(count);
  }

  async readSnapshot(accountId: string, bucketUuid: string, paths: readonly string[]): Promise<UploadSnapshot> {
    const wanted = [keys.account(accountId), keys.bucket(bucketUuid), ...[...new Set(paths)].map((path) => keys.path(bucketUuid, path))];
    const items = await this.batchGet(wanted);
    const byKey = new Map(items.map((item) => [`${item.pk}\u0000${item.sk}`, item]));
    const find = (key: { pk: string; sk: string }) => byKey.get(`${key.pk}\u0000${key.sk}`);
    const account = find(keys.account(accountId));
    const bucket = find(keys.bucket(bucketUuid));
    const claims = new Map<string, PathClaim>();
    for (const path of paths) {
      const item = find(keys.path(bucketUuid, path));
      if (item) {
        claims.set(path, {
          path,
          entryUuid: item.entryUuid as string,
          type: item.type as PathClaim['type'],
          ...(typeof item.chargedBytes === 'number' ? { chargedBytes: item.chargedBytes } : {}),
          ...(typeof item.objectKey === 'string' ? { objectKey: item.objectKey } : {}),
        });
      }
    }
    return {
      account: account ? (stripKeys(account) as UploadSnapshot['account']) : undefined,
      bucket: bucket ? (stripKeys(bucket) as UploadSnapshot['bucket']) : undefined,
      claims,
    };
  }

  async putUploadRequests(files: readonly FileRecord[], expiresAtEpochSeconds: number): Promise<void> {
    const requests = files.map((file) => ({ PutRequest: { Item: { ...entryItem(file, false), expiresAt: expiresAtEpochSeconds } } }));
    const chunks: (typeof requests)[] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS) chunks.push(requests.slice(i, i + BATCH_WRITE_ITEMS));
    // Every record has a fresh uuid, so no write can overwrite another record: no condition needed.
    await Promise.all(chunks.map((chunk) => this.batchWrite(chunk)));
  }

  async createDirectories(directories: readonly EntryRecord[], anchors: readonly { path: string; entryUuid: string }[] = []): Promise<boolean> {
    // At most three items a directory (claim, record, a parent's count) plus the anchor checks.
    const perTransaction = Math.floor((MAX_TRANSACTION_ITEMS - anchors.length) / 3);
    for (let start = 0; start < directories.length; start += perTransaction) {
      const chunk = directories.slice(start, start + perTransaction);
      const items: TransactItem[] = [
        ...chunk.flatMap((directory) => this.directoryItems(directory)),
        ...this.countItems(chunk),
        ...(start === 0 ? anchors.map((anchor) => checkClaim(this.table.name, chunk[0]!.bucketUuid, anchor.path, anchor.entryUuid)) : []),
      ];
      try {
        await this.table.client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    }
    return true;
  }

  async putIntent(intent: CommitIntent): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.intent(intent.intentId), duePk: keys.intentSchedule, ...intent },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async abortIntent(intentId: string): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.intent(intentId),
          UpdateExpression: 'SET #state = :aborted',
          ConditionExpression: '#state = :staged',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':aborted': 'aborted', ':staged': 'staged' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async deleteIntent(intentId: string): Promise<void> {
    await this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.intent(intentId) }));
  }

  async dueIntents(nowIso: string, limit: number): Promise<CommitIntent[]> {
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'ByDueDate',
        KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': keys.intentSchedule, ':now': nowIso },
        Limit: limit,
      }),
    );
    // The index is eventually consistent and carries keys only: read each intent itself.
    const intents = await this.batchGet((Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string })));
    return intents.map((item) => ({ ...stripKeys<CommitIntent>(item), dueAt: item.dueAt as string }));
  }

  async commitStaged(commit: StagedCommit): Promise<CommitFailure | undefined> {
    const table = this.table.name;
    const bucketUuid = commit.limits.bucketUuid;
    // Reasons are reported by the index of the item whose condition failed: keep them in this order.
    const labelled: [CommitFailure, TransactItem][] = [
      [
        'intent-changed',
        commit.replacedObjectKeys.length > 0
          ? {
              Update: {
                TableName: table,
                Key: keys.intent(commit.intentId),
                UpdateExpression: 'SET #state = :committed, objectKeys = :replaced',
                ConditionExpression: '#state = :staged',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':committed': 'committed', ':staged': 'staged', ':replaced': commit.replacedObjectKeys },
              },
            }
          : {
              Delete: {
                TableName: table,
                Key: keys.intent(commit.intentId),
                ConditionExpression: '#state = :staged',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':staged': 'staged' },
              },
            },
      ],
      ...chargeUsage(table, commit.limits, commit.deltaBytes).map(
        (item, index): [CommitFailure, TransactItem] => [index === 0 ? 'account-limit' : 'bucket-limit', item],
      ),
    ];
    for (const anchor of commit.anchors) labelled.push(['parent-changed', checkClaim(table, bucketUuid, anchor.path, anchor.entryUuid)]);
    for (const directory of commit.directories) {
      for (const item of this.directoryItems(directory)) labelled.push(['path-changed', item]);
    }
    const added: EntryRecord[] = [...commit.directories];
    for (const file of commit.files) {
      const replacing = commit.replaced.get(file.path);
      labelled.push(['file-changed', { Put: { TableName: table, Item: entryItem(file, true), ConditionExpression: 'attribute_not_exists(pk)' } }]);
      labelled.push(['path-changed', claimPath(table, file, replacing?.entryUuid)]);
      if (replacing) labelled.push(['replaced-changed', retireReplaced(table, replacing.entryUuid)]);
      else added.push(file);
    }
    for (const item of this.countItems(added)) labelled.push(['path-changed', item]);
    if (labelled.length > MAX_TRANSACTION_ITEMS) throw new Error(`A staged commit of ${labelled.length} items does not fit one transaction`);
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: labelled.map(([, item]) => item) }));
      return undefined;
    } catch (error) {
      const index = failedConditionIndex(error);
      if (index >= 0) return labelled[index]![0];
      throw error;
    }
  }

  /** The claim and the record of a new directory (its parent's count is the caller's: one item per counter). */
  private directoryItems(directory: EntryRecord): TransactItem[] {
    return [claimPath(this.table.name, directory, undefined), { Put: { TableName: this.table.name, Item: entryItem(directory, true) } }];
  }

  /** One count update per directory that gains children among `added` (a transaction may touch an item once). */
  private countItems(added: readonly EntryRecord[]): TransactItem[] {
    const counts = new Map<string | null, { bucketUuid: string; by: number }>();
    for (const entry of added) {
      const current = counts.get(entry.parentUuid);
      counts.set(entry.parentUuid, { bucketUuid: entry.bucketUuid, by: (current?.by ?? 0) + 1 });
    }
    return [...counts].map(([directoryUuid, { bucketUuid, by }]) => adjustCount(this.table.name, bucketUuid, directoryUuid, by));
  }

  private async batchGet(wanted: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const chunks: { pk: string; sk: string }[][] = [];
    for (let i = 0; i < wanted.length; i += BATCH_GET_KEYS) chunks.push(wanted.slice(i, i + BATCH_GET_KEYS));
    const pages = await Promise.all(
      chunks.map(async (chunk) => {
        const found: Record<string, unknown>[] = [];
        let pending: { pk: string; sk: string }[] = chunk;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > UNPROCESSED_RETRIES) throw new Error('BatchGetItem left keys unprocessed after retries');
          if (attempt > 0) await delay(2 ** attempt * 10);
          const { Responses, UnprocessedKeys } = await this.table.client.send(
            new BatchGetCommand({ RequestItems: { [this.table.name]: { Keys: pending, ConsistentRead: true } } }),
          );
          found.push(...((Responses?.[this.table.name] ?? []) as Record<string, unknown>[]));
          pending = (UnprocessedKeys?.[this.table.name]?.Keys ?? []) as { pk: string; sk: string }[];
        }
        return found;
      }),
    );
    return pages.flat();
  }

  private async batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error('BatchWriteItem left items unprocessed after retries');
      if (attempt > 0) await delay(2 ** attempt * 10);
      const { UnprocessedItems } = await this.table.client.send(
        new BatchWriteCommand({ RequestItems: { [this.table.name]: pending as never } }),
      );
      pending = (UnprocessedItems?.[this.table.name] ?? []) as Record<string, unknown>[];
    }
  }
}

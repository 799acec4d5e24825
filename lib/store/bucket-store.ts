import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { failedConditionIndex, queryRecords, stripKeys, type Table, writeOr, writeOrFalse, getConsistent } from './table';
import type { BucketRecord, BucketStore } from '../core/ports';



/** Names a store remembers the bucket uuid of (BucketNames); about 100 bytes each. */
const REMEMBERED_NAMES = 1000;

/**
 * The bucket uuid of recently resolved names (account + name), so a warm container finds a bucket by
 * name in one read instead of two (the name claim, then the bucket). Safe: a remembered uuid is only
 * used through the bucket item it names, read consistently, and only while that item still has this
 * account and name; a bucket item exists exactly as long as its name claim (both are written and
 * deleted in one transaction, and a bucket is never renamed), so that item is the name's holder.
 * Anything else (the bucket removed, the name taken anew) reads the claim again.
 * Bound: REMEMBERED_NAMES entries; the least recently used goes first.
 */
class BucketNames {
  private readonly uuids = new Map<string, string>();

  get(accountId: string, name: string): string | undefined {
    const key = `${accountId}\u0000${name}`;
    const uuid = this.uuids.get(key);
    if (uuid !== undefined) {
      this.uuids.delete(key);
      this.uuids.set(key, uuid);
    }
    return uuid;
  }

  set(accountId: string, name: string, bucketUuid: string): void {
    const key = `${accountId}\u0000${name}`;
    this.uuids.delete(key);
    this.uuids.set(key, bucketUuid);
    if (this.uuids.size > REMEMBERED_NAMES) this.uuids.delete(this.uuids.keys().next().value!);
  }

  forget(accountId: string, name: string): void {
    this.uuids.delete(`${accountId}\u0000${name}`);
  }
}

export class DynamoBucketStore implements BucketStore {
  private readonly names = new BucketNames();

  constructor(private readonly table: Table) {}

  async create(bucket: BucketRecord): Promise<boolean> {
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: { ...keys.bucketName(bucket.accountId, bucket.name), bucketUuid: bucket.bucketUuid },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...keys.bucket(bucket.bucketUuid),
                  refPk: keys.accountBucketsRef(bucket.accountId),
                  refSk: `${bucket.createdAt}#${bucket.bucketUuid}`,
                  ...bucket,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditionIndex(error) === 0) return false;
      throw error;
    }
  }

  async get(bucketUuid: string): Promise<BucketRecord | undefined> {
    const Item = await getConsistent(this.table, keys.bucket(bucketUuid));
    return Item ? stripKeys<BucketRecord>(Item) : undefined;
  }

  async getByName(accountId: string, name: string): Promise<BucketRecord | undefined> {
    const remembered = this.names.get(accountId, name);
    if (remembered !== undefined) {
      const bucket = await this.get(remembered);
      if (bucket && bucket.accountId === accountId && bucket.name === name) return bucket;
      this.names.forget(accountId, name);
    }
    const Item = await getConsistent(this.table, keys.bucketName(accountId, name));
    if (!Item) return undefined;
    const bucket = await this.get(Item.bucketUuid as string);
    if (bucket) this.names.set(accountId, name, bucket.bucketUuid);
    return bucket;
  }

  async list(accountId: string): Promise<BucketRecord[]> {
    // ByRef is KEYS_ONLY (docs/index-plan.md): the records are read from the table.
    const items = await queryRecords(this.table, {
      IndexName: 'ByRef',
      KeyConditionExpression: 'refPk = :ref',
      ExpressionAttributeValues: { ':ref': keys.accountBucketsRef(accountId) },
    });
    return items.map((item) => stripKeys<BucketRecord>(item));
  }

  async markForDeletion(bucketUuid: string, now: string): Promise<BucketRecord | undefined> {
    return writeOr(async () => {
      const { Attributes } = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.bucket(bucketUuid),
          UpdateExpression: 'SET markedForDeletionAt = if_not_exists(markedForDeletionAt, :now), updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? stripKeys<BucketRecord>(Attributes) : undefined;
    }, undefined);
  }

  async remove(bucket: BucketRecord): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table.name, Key: keys.bucket(bucket.bucketUuid), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Delete: {
                TableName: this.table.name,
                Key: keys.bucketName(bucket.accountId, bucket.name),
                // Only this bucket's claim: the name may already belong to a newer bucket.
                ConditionExpression: 'attribute_not_exists(pk) OR bucketUuid = :uuid',
                ExpressionAttributeValues: { ':uuid': bucket.bucketUuid },
              },
            },
            { Delete: { TableName: this.table.name, Key: keys.directoryCounter(bucket.bucketUuid, null) } },
            // The root directory's CIDs (a mark arriving later recreates it; its recompute then finds no bucket and deletes it).
            { Delete: { TableName: this.table.name, Key: keys.bucketRoot(bucket.bucketUuid) } },
          ],
        }),
      ));
  }
}

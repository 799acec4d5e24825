import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { failedConditionIndex, queryAll, stripKeys, type Table } from './table';

export interface BucketRecord {
  readonly bucketUuid: string;
  readonly accountId: string;
  readonly name: string;
  readonly description: string;
  /** Public buckets serve their files through the `/ipfs/<cid>` gateway without credentials. */
  readonly public: boolean;
  /** Set when the bucket is marked for deletion; it then takes no uploads. */
  readonly markedForDeletionAt?: string;
  readonly maxSizeBytes: number;
  /** Bytes of the files in the bucket (charged with the account's usage). */
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Buckets, unique by name within an account. */
export interface BucketStore {
  /** Creates the bucket; false when the account already has a bucket of that name. */
  create(bucket: BucketRecord): Promise<boolean>;
  get(bucketUuid: string): Promise<BucketRecord | undefined>;
  getByName(accountId: string, name: string): Promise<BucketRecord | undefined>;
  list(accountId: string): Promise<BucketRecord[]>;
}

export class DynamoBucketStore implements BucketStore {
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
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.bucket(bucketUuid), ConsistentRead: true }),
    );
    return Item ? stripKeys<BucketRecord>(Item) : undefined;
  }

  async getByName(accountId: string, name: string): Promise<BucketRecord | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.bucketName(accountId, name), ConsistentRead: true }),
    );
    return Item ? this.get(Item.bucketUuid as string) : undefined;
  }

  async list(accountId: string): Promise<BucketRecord[]> {
    const items = await queryAll<Record<string, unknown>>(this.table, {
      IndexName: 'ByRef',
      KeyConditionExpression: 'refPk = :ref',
      ExpressionAttributeValues: { ':ref': keys.accountBucketsRef(accountId) },
    });
    return items.map((item) => stripKeys<BucketRecord>(item));
  }
}

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BucketPolicyStore } from '../core/ports/bucket-policy';
import type { UploadPolicy } from '../core/upload/policy';
import type { BucketRecord } from '../core/ports';
import { keys } from './keys';
import { stripKeys, type Table, writeOr } from './table';

/** A bucket's upload policy on its DynamoDB item: one conditional UpdateItem (ALL_NEW). */
export class DynamoBucketPolicyStore implements BucketPolicyStore {
  constructor(private readonly table: Table) {}

  async setUploadPolicy(bucketUuid: string, policy: UploadPolicy | undefined, now: string): Promise<BucketRecord | undefined> {
    return writeOr(async () => {
      const { Attributes } = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.bucket(bucketUuid),
          UpdateExpression: policy ? 'SET uploadPolicy = :policy, updatedAt = :now' : 'SET updatedAt = :now REMOVE uploadPolicy',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(markedForDeletionAt)',
          ExpressionAttributeValues: { ':now': now, ...(policy ? { ':policy': policy } : {}) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? stripKeys<BucketRecord>(Attributes) : undefined;
    }, undefined);
  }
}

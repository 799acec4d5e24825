import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import tableDefinition from '../../infra/storage-table.json';

/**
 * Creates the table (from `infra/storage-table.json`, the same definition
 * serverless.yml and LocalStack use) and the buckets, if they do not exist yet.
 * Used by the local start command and the test setup; on AWS CloudFormation does this.
 */
export async function provisionTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveSpecification, ...createProperties } = tableDefinition;
  const input = { ...createProperties, TableName: tableName } as CreateTableCommandInput;
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await dynamo.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: tableName });
  await dynamo.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: TimeToLiveSpecification }),
  );
}

export async function provisionBuckets(s3: S3Client, bucketNames: readonly string[]): Promise<void> {
  for (const Bucket of bucketNames) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket }));
    }
  }
}

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import tableDefinition from '../../infra/storage-table.json';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import filesBucketCors from '../../infra/files-bucket-cors.json';

/**
 * Creates the table (from `infra/storage-table.json`, the same definition
 * serverless.yml and LocalStack use) and the buckets, if they do not exist yet.
 * Used by the local start command and the test setup; on AWS CloudFormation does this.
 */
export async function provisionTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveSpecification, ...createProperties } = tableDefinition;
  const input = { ...createProperties, TableName: tableName } as CreateTableCommandInput;
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    await addMissingIndexes(dynamo, tableName, new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName)));
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

/**
 * A table made by an older version (a developer's `.data/`) gets the indexes
 * added since, one at a time as DynamoDB requires, so `npm start` keeps its data.
 */
async function addMissingIndexes(dynamo: DynamoDBClient, tableName: string, existing: ReadonlySet<string | undefined>): Promise<void> {
  for (const index of tableDefinition.GlobalSecondaryIndexes.filter((candidate) => !existing.has(candidate.IndexName))) {
    const used = new Set(index.KeySchema.map((key) => key.AttributeName));
    await dynamo.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: tableDefinition.AttributeDefinitions.filter((attribute) => used.has(attribute.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      } as ConstructorParameters<typeof UpdateTableCommand>[0]),
    );
    for (let attempt = 0; attempt < 600; attempt++) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.IndexName)?.IndexStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Creates each bucket that does not exist yet (in the client's region; LocationConstraint outside us-east-1, as S3 requires). */
export async function provisionBuckets(s3: S3Client | (() => Promise<S3Client>), bucketNames: readonly string[]): Promise<void> {
  const client = typeof s3 === 'function' ? await s3() : s3;
  const region = await client.config.region();
  for (const Bucket of bucketNames) {
    try {
      await client.send(new HeadBucketCommand({ Bucket }));
    } catch {
      await client.send(
        new CreateBucketCommand({ Bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }),
      );
    }
  }
}

/**
 * Sets the files bucket's CORS rule: the web console's origin (only that one) may PUT to presigned URLs and GET,
 * with any request header. The same rule as the template's `S3BucketFiles.CorsConfiguration`
 * (infra/files-bucket-cors.json, origin = the stage's CONSOLE_ORIGIN); used by the local start command, since
 * s3rver answers a browser's preflight 403 without one. Replaces any rule the bucket had.
 * @param origin scheme://host[:port] of the console, e.g. `http://localhost:3000`
 */
export async function provisionBucketCors(s3: S3Client, bucket: string, origin: string): Promise<void> {
  await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [
        {
          // CloudFormation's names (the template's) → the S3 API's (ExposedHeaders → ExposeHeaders, MaxAge → MaxAgeSeconds).
          AllowedOrigins: [origin],
          AllowedMethods: filesBucketCors.AllowedMethods,
          AllowedHeaders: filesBucketCors.AllowedHeaders,
          ExposeHeaders: filesBucketCors.ExposedHeaders,
          MaxAgeSeconds: filesBucketCors.MaxAge,
        },
      ] } }));
}

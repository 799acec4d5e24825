import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';
import { S3Client } from './s3-client';

/**
 * The AWS clients of one process; endpoints come from configuration (AWS, LocalStack or emulators).
 * DynamoDB and SQS go through the AWS SDK; S3 through the small client of `s3-client.ts`, which
 * keeps the SDK's S3 client (~165 KB, most of a function's load time) out of every bundle.
 */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  /** PutObject/GetObject/HeadObject/CopyObject/DeleteObject/HeadBucket/CreateBucket and presigned URLs. */
  readonly s3: S3Client;
  /** Created on first use: most functions never send to a queue. */
  readonly sqs: () => SQSClient;
}

export function createAwsClients(cfg: Config): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: cfg.AWS_REGION, endpoint: cfg.DYNAMODB_ENDPOINT, maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  // With an endpoint (emulators), buckets are addressed by path, not by virtual host.
  const s3 = new S3Client({ region: cfg.AWS_REGION, endpoint: cfg.S3_ENDPOINT, maxAttempts: 3 });
  let sqs: SQSClient | undefined;
  return {
    dynamo,
    s3,
    sqs: () => (sqs ??= new SQSClient({ region: cfg.AWS_REGION, endpoint: cfg.SQS_ENDPOINT, maxAttempts: 3 })),
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';
import { S3Client } from './s3-client';
import { SqsClient } from './sqs-client';

/**
 * The AWS clients of one process; endpoints come from configuration (AWS, LocalStack or emulators).
 * DynamoDB goes through the AWS SDK; S3 and SQS through the small clients of `s3-client.ts` and
 * `sqs-client.ts` (one signing/HTTP/retry core, `aws-http.ts`), which keep the SDK's S3 client
 * (~165 KB, most of a function's load time) and SQS client (~23 KB) out of every bundle.
 */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  /** PutObject/GetObject/HeadObject/CopyObject/DeleteObject/HeadBucket/CreateBucket and presigned URLs. */
  readonly s3: S3Client;
  /** SendMessageBatch; created on first use: most functions never send to a queue. */
  readonly sqs: () => SqsClient;
}

export function createAwsClients(cfg: Config): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: cfg.AWS_REGION, endpoint: cfg.DYNAMODB_ENDPOINT, maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  // With an endpoint (emulators), buckets are addressed by path, not by virtual host.
  const s3 = new S3Client({ region: cfg.AWS_REGION, endpoint: cfg.S3_ENDPOINT, maxAttempts: 3 });
  let sqs: SqsClient | undefined;
  return {
    dynamo,
    s3,
    sqs: () => (sqs ??= new SqsClient({ region: cfg.AWS_REGION, endpoint: cfg.SQS_ENDPOINT, maxAttempts: 3 })),
  };
}

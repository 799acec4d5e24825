import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';

/** The AWS SDK clients of one process; endpoints come from configuration (AWS, LocalStack or emulators). */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** Created on first use: most functions never send to a queue. */
  readonly sqs: () => SQSClient;
}

export function createAwsClients(cfg: Config): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: cfg.AWS_REGION, endpoint: cfg.DYNAMODB_ENDPOINT, maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const s3 = new S3Client({
    region: cfg.AWS_REGION,
    endpoint: cfg.S3_ENDPOINT,
    // Emulators serve buckets by path, not by virtual host.
    forcePathStyle: cfg.S3_ENDPOINT !== undefined,
    // SDK >= 3.729 otherwise bakes an empty-body CRC32 into presigned PUT URLs, which S3 then rejects.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  let sqs: SQSClient | undefined;
  return {
    dynamo,
    s3,
    sqs: () => (sqs ??= new SQSClient({ region: cfg.AWS_REGION, endpoint: cfg.SQS_ENDPOINT, maxAttempts: 3 })),
  };
}

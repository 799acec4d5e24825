/**
 * The cold-start floor of bench/bundles.ts: a Lambda handler holding only what every function of this
 * service must load anyway (`@middy/core`, the DynamoDB client and document client, the S3 client and its
 * presigner), each client built at init, sending one GetItem. bench/bundles.ts bundles it with the
 * functions' own esbuild options and times it beside them.
 */
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });

export const handler = middy(async () => {
  const { Item } = await dynamo.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'floor', sk: 'floor' } }));
  const url = Item ? await getSignedUrl(s3, new PutObjectCommand({ Bucket: process.env.FILES_BUCKET, Key: 'floor' }), { expiresIn: 60 }) : '';
  return { statusCode: 200, body: url };
});

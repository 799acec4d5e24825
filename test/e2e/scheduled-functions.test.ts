/**
 * The scheduled functions on the run's shared local stack, invoked as EventBridge invokes them, through
 * serverless-offline's Lambda API (the way AWS runs them: no HTTP route): the sweeper over the stack's
 * table, and the daily purge of a file whose deletion has come due. Besides what they do, their AWS calls
 * are recorded for the IAM test (test/e2e/iam-roles.last.test.ts), which no HTTP walk could reach.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/local/dynamodb-local';
import { localEnvironment } from '../../lib/local/environment';
import { keys } from '../../lib/store/keys';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

/** An EventBridge scheduled event, as `schedule:` events deliver it. */
const scheduledEvent = () => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail: {},
});

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('scheduled functions (local stack, Lambda invoke API)', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let environment: Record<string, string>;
  /** Invokes `name` (a function key of serverless.yml) with `event`; the function's answer. */
  const invoke = async (name: string, event: unknown) => {
    const response = await fetch(`http://127.0.0.1:${stack.ports.lambda}/2015-03-31/functions/storage-service-local-${name}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(100_000),
    });
    return { status: response.status, error: response.headers.get('x-amz-function-error'), body: (await response.json()) as any };
  };
  const json = (method: string, body?: unknown) => ({
    method,
    headers: { ...stack.headers.basic, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  beforeAll(async () => {
    stack = await sharedLocalStack();
    environment = localEnvironment(stack.ports);
  });

  it('sweepStranded runs over the table and reports what it found', async () => {
    // act
    const swept = await invoke('sweepStranded', scheduledEvent());

    // assess
    expect(swept.error, JSON.stringify(swept.body)).toBeNull();
    expect(swept.body).toMatchObject({ found: expect.any(Number), failed: 0, staleDirectories: expect.any(Number), abortedMultipartUploads: expect.any(Number) });
  });

  it('purgeDeleted purges a file whose deletion is due: record, bytes and replica gone', async () => {
    // prepare: a file at status 4, deleted (status 8), its purge date moved into the past
    const bucket = stack.bucketUuid;
    const requested = await stack.request(`/storage/${bucket}/upload`, json('POST', { fileName: 'purge-me.txt', contentType: 'text/plain', path: 'e2e/purge' }));
    expect(requested.status, requested.text).toBe(201);
    const { signedUrlForUpload, fileUuid } = requested.body.data;
    expect((await fetch(signedUrlForUpload, { method: 'PUT', body: 'purge me' })).status).toBe(200);
    const ready = await until(() => stack.request(`/storage/${bucket}/file/${fileUuid}/detail`, json('GET')), (response) => response.body?.data?.fileStatus === 4);
    expect(ready.body.data.fileStatus, ready.text).toBe(4);
    expect((await stack.request(`/storage/${bucket}/file/${fileUuid}`, json('DELETE'))).status).toBe(200);
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: environment.DYNAMODB_ENDPOINT, credentials: LOCAL_CREDENTIALS }));
    const past = new Date(Date.now() - 60_000).toISOString();
    const { Attributes } = await table.send(
      new UpdateCommand({ TableName: environment.TABLE_NAME, Key: keys.entry(fileUuid), UpdateExpression: 'SET purgeAt = :past, dueAt = :past', ExpressionAttributeValues: { ':past': past }, ReturnValues: 'ALL_NEW' }),
    );
    const objectKey = String(Attributes?.objectKey);

    // act
    const purged = await invoke('purgeDeleted', scheduledEvent());

    // assess
    expect(purged.error, JSON.stringify(purged.body)).toBeNull();
    expect(purged.body.purged).toBeGreaterThanOrEqual(1);
    expect((await stack.request(`/storage/${bucket}/file/${fileUuid}/detail`, json('GET'))).status).toBe(404);
    const s3 = new S3Client({ region: 'us-east-1', endpoint: environment.S3_ENDPOINT, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    for (const Bucket of [environment.FILES_BUCKET, environment.REPLICA_BUCKET]) {
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: objectKey })).catch((error: { $metadata?: { httpStatusCode?: number } }) => error);
      expect((head as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, `${Bucket}/${objectKey}`).toBe(404);
    }
  });
});

/**
 * Integration-test emulators, started once for the whole run: DynamoDB Local
 * (in-memory, the official jar) and s3rver (in-process, temp directory), both on
 * free ports. Their endpoints reach the test files through `provide`/`inject`;
 * each test file then provisions its own table and buckets on them
 * (test/support/services.ts), so files never see each other's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import S3rver from 's3rver';
import type { TestProject } from 'vitest/node';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { freePort } from '../../lib/local/ports';
import { addMultipartOperations } from '../../lib/local/s3rver-multipart';
import { provisionTable } from '../../lib/store/provision';

/** What the global setup hands to every integration test file. */
export interface EmulatorEndpoints {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  /** A table and two buckets provisioned up front (also warms DynamoDB Local's table creation path). */
  readonly sharedTableName: string;
  readonly sharedFilesBucket: string;
  readonly sharedReplicaBucket: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: EmulatorEndpoints;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // This runs in vitest's main process, which the projects' `env` does not reach.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s3Directory = mkdtempSync(path.join(os.tmpdir(), 'storage-test-s3-'));
  const shared = {
    sharedTableName: 'storage-test-shared',
    sharedFilesBucket: 'storage-test-shared-files',
    sharedReplicaBucket: 'storage-test-shared-replica',
  };

  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: s3Directory,
    silent: true,
    resetOnClose: true,
    configureBuckets: [{ name: shared.sharedFilesBucket }, { name: shared.sharedReplicaBucket }],
  });
  addMultipartOperations(s3);
  const [dynamo, s3Address] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), s3.run()]);

  const teardown = async () => {
    await Promise.allSettled([s3.close(), dynamo.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  };

  try {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    await provisionTable(client, shared.sharedTableName);
    client.destroy();
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('emulators', {
    dynamodbEndpoint: dynamo.endpoint,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    ...shared,
  });
  if (process.env.TEST_VERBOSE === '1') {
    process.stdout.write(`[test] emulators up in ${Date.now() - started} ms: ${dynamo.endpoint}, s3 :${s3Address.port}\n`);
  }
  return teardown;
}

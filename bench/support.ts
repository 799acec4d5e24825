/**
 * What the benchmarks share: DynamoDB Local and s3rver started in memory on
 * free ports, the configuration environment that points a service at them,
 * and a counter of the requests the AWS clients send.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { parseConfig } from '../lib/config';
import { createServices, setServicesForTests, type Services } from '../lib/services';
import { createAwsClients, type AwsClients } from '../lib/store/clients';
import { provisionBuckets, provisionTable } from '../lib/store/provision';

export interface BenchEmulators {
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

/** DynamoDB Local and s3rver, in memory, on free ports; `stop()` ends both and removes s3rver's folder. */
export async function startBenchEmulators(): Promise<BenchEmulators> {
  const s3Directory = mkdtempSync(path.join(os.tmpdir(), 'storage-bench-s3-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: await freePort(), directory: s3Directory, silent: true, resetOnClose: true });
  const [dynamo, s3Address] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), s3.run()]);
  return {
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    stop: async () => {
      await Promise.allSettled([s3.close(), dynamo.stop()]);
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}

/** The service configuration (the variables a Lambda reads) of a bench on `emulators`; also sets the local credentials. */
export function benchEnvironment(emulators: Pick<BenchEmulators, 'dynamoEndpoint' | 's3Endpoint'>): Record<string, string> {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
  return {
    STAGE: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    LOG_LEVEL: 'silent',
    TABLE_NAME: 'storage-bench',
    FILES_BUCKET: 'storage-bench-files',
    REPLICA_BUCKET: 'storage-bench-replica',
    DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
    S3_ENDPOINT: emulators.s3Endpoint,
    PUBLIC_BASE_URL: 'http://bench.local',
  };
}

/** Counts the requests each client sends (at the deserialize step: presigning sends nothing and is not counted). */
export class CallCounter {
  dynamo = 0;
  s3 = 0;
  async attach(clients: AwsClients): Promise<void> {
    clients.dynamo.middlewareStack.add((next) => async (args) => ((this.dynamo += 1), next(args)), { step: 'deserialize', name: 'benchDynamoCounter' });
    (await clients.s3()).middlewareStack.add((next) => async (args) => ((this.s3 += 1), next(args)), { step: 'deserialize', name: 'benchS3Counter' });
  }
  reset(): void {
    this.dynamo = 0;
    this.s3 = 0;
  }
}

/**
 * The services of a bench on `emulators`, as a Lambda builds them, with the table and both buckets
 * provisioned, set as the process's services (for handlers invoked in-process), and their requests
 * counted by `counter`.
 */
export async function benchServices(emulators: Pick<BenchEmulators, 'dynamoEndpoint' | 's3Endpoint'>, counter: CallCounter): Promise<Services> {
  const config = parseConfig(benchEnvironment(emulators));
  const clients = createAwsClients(config);
  await counter.attach(clients);
  const services = createServices(config, clients);
  await provisionTable(clients.dynamo as never, config.TABLE_NAME);
  await provisionBuckets(clients.s3, [config.FILES_BUCKET, config.REPLICA_BUCKET]);
  setServicesForTests(services);
  return services;
}

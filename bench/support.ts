/**
 * What the benchmarks share: DynamoDB Local and s3rver started in memory on
 * free ports, the configuration environment that points a service at them,
 * and a counter of the requests the AWS clients send.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { parseConfig } from '../lib/config';
import { createServices } from '../lib/app/all-services';
import { setServicesForTests, type Services } from '../lib/app/services';
import { createAwsClients, type AwsClients } from '../lib/store/clients';
import { provisionBuckets, provisionTable } from '../lib/store/provision';

export interface BenchEmulators {
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local and s3rver, in memory, on free ports; `stop()` ends both and removes s3rver's folder.
 * s3rver runs inside this process unless `s3: 'child-process'` (a bench that measures this process's
 * heap keeps s3rver's own objects out of it).
 */
export async function startBenchEmulators(options: { s3?: 'in-process' | 'child-process' } = {}): Promise<BenchEmulators> {
  const s3Directory = mkdtempSync(path.join(os.tmpdir(), 'storage-bench-s3-'));
  const s3Port = await freePort();
  const s3 = options.s3 === 'child-process' ? await s3rverProcess(s3Port, s3Directory) : new S3rver({ address: '127.0.0.1', port: s3Port, directory: s3Directory, silent: true, resetOnClose: true });
  const [dynamo] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), s3.run()]);
  return {
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    stop: async () => {
      await Promise.allSettled([s3.close(), dynamo.stop()]);
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}

/** s3rver in a Node child process of its own, on `port`; `run()` resolves once it listens. */
async function s3rverProcess(port: number, directory: string): Promise<{ run(): Promise<void>; close(): Promise<void> }> {
  const script = `const S3rver = require('s3rver');
new S3rver({ address: '127.0.0.1', port: ${port}, directory: ${JSON.stringify(directory)}, silent: true, resetOnClose: true })
  .run().then(() => process.stdout.write('listening\\n'), (error) => { process.stderr.write(String(error)); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    run: () =>
      new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`s3rver exited (code ${code}) before it listened`)));
        child.stdout!.once('data', () => resolve());
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
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
 * counted by `counter`. `environment` adds or replaces configuration variables (e.g. a queue).
 */
export async function benchServices(
  emulators: Pick<BenchEmulators, 'dynamoEndpoint' | 's3Endpoint'>,
  counter: CallCounter,
  environment: Record<string, string> = {},
): Promise<Services> {
  const config = parseConfig({ ...benchEnvironment(emulators), ...environment });
  const clients = createAwsClients(config);
  await counter.attach(clients);
  const services = createServices(config, clients);
  await provisionTable(clients.dynamo as never, config.TABLE_NAME);
  await provisionBuckets(clients.s3, [config.FILES_BUCKET, config.REPLICA_BUCKET]);
  setServicesForTests(services);
  return services;
}

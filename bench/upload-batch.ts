/**
 * Batch cost of the SDK's upload call (issue 8): `POST /storage/buckets/:bucketUuid/upload`
 * with 1 file against 200 files into 10 new folders (the SDK's batch size), the
 * handler invoked in-process with API Gateway v2 events against DynamoDB Local
 * and s3rver started here. The two are interleaved (1, 200, 1, 200, ...) and
 * the medians printed with the DynamoDB and S3 requests each call made.
 *
 *   npx tsx bench/upload-batch.ts          (BENCH_RUNS=9 by default)
 *
 * Figures only; nothing here asserts a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import S3rver from 's3rver';
import { handler as sessionUpload } from '../functions/apillon/session-upload/handler';
import { parseConfig } from '../lib/config';
import { createAccount, issueApiKey } from '../lib/domain/accounts';
import { createBucket } from '../lib/domain/buckets';
import { ALL_PERMISSIONS } from '../lib/domain/principal';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { createServices, setServicesForTests } from '../lib/services';
import { createAwsClients } from '../lib/store/clients';
import { provisionBuckets, provisionTable } from '../lib/store/provision';
import { basicAuthorization, httpEvent, invoke } from '../test/support/events';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const say = (line = '') => process.stdout.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const s3Directory = mkdtempSync(path.join(os.tmpdir(), 'storage-bench-batch-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: await freePort(), directory: s3Directory, silent: true, resetOnClose: true });
  const [dynamo, s3Address] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), s3.run()]);
  try {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
    const config = parseConfig({
      STAGE: 'bench',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
      TABLE_NAME: 'storage-bench',
      FILES_BUCKET: 'storage-bench-files',
      REPLICA_BUCKET: 'storage-bench-replica',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: `http://127.0.0.1:${s3Address.port}`,
      PUBLIC_BASE_URL: 'http://bench.local',
    });
    const clients = createAwsClients(config);
    const counts = { dynamo: 0, s3: 0 };
    clients.dynamo.middlewareStack.add((next) => async (args) => ((counts.dynamo += 1), next(args)), { step: 'deserialize', name: 'benchDynamo' });
    clients.s3.middlewareStack.add((next) => async (args) => ((counts.s3 += 1), next(args)), { step: 'deserialize', name: 'benchS3' });
    const services = createServices(config, clients);
    await provisionTable(clients.dynamo as never, config.TABLE_NAME);
    await provisionBuckets(clients.s3, [config.FILES_BUCKET, config.REPLICA_BUCKET]);
    setServicesForTests(services);

    const account = await createAccount(services.accounts, { name: 'bench', quotaBytes: 1024 ** 4 });
    const key = await issueApiKey(services.accounts, account.accountId, ALL_PERMISSIONS);
    const bucket = await createBucket(services.buckets, { accountId: account.accountId, name: 'bench', public: true, maxSizeBytes: 1024 ** 4 });
    const authorization = basicAuthorization(key.apiKey, key.apiSecret);

    let round = 0;
    const call = async (files: { fileName: string; path: string; contentType: string }[]) => {
      const event = httpEvent({
        method: 'POST',
        path: `/storage/buckets/${bucket.bucketUuid}/upload`,
        pathParameters: { bucketUuid: bucket.bucketUuid },
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ files }),
      });
      counts.dynamo = 0;
      counts.s3 = 0;
      const started = performance.now();
      const result = await invoke(sessionUpload, event);
      const ms = performance.now() - started;
      if (result.statusCode !== 201 && result.statusCode !== 200) throw new Error(`upload call answered ${result.statusCode}: ${result.body}`);
      return { ms, dynamo: counts.dynamo, s3: counts.s3 };
    };
    const oneFile = () => call([{ fileName: `single-${round}.txt`, path: `single-${round}`, contentType: 'text/plain' }]);
    // 200 files in 10 folders nobody has made yet, 20 per folder (a site's pages, two levels deep).
    const twoHundred = () =>
      call(Array.from({ length: 200 }, (_, i) => ({ fileName: `page-${i}.html`, path: `site-${round}/section-${i % 10}`, contentType: 'text/html' })));

    await oneFile(); // warm-up: the first call loads the handler's modules and opens connections
    await twoHundred();
    const single: Awaited<ReturnType<typeof call>>[] = [];
    const batch: Awaited<ReturnType<typeof call>>[] = [];
    for (round = 1; round <= RUNS; round++) {
      single.push(await oneFile());
      batch.push(await twoHundred());
    }
    const [one, many] = [median(single.map((run) => run.ms)), median(batch.map((run) => run.ms))];
    say(`session upload call, median of ${RUNS} interleaved runs (DynamoDB Local + s3rver, in-process handler):`);
    say(`  1 file into a new folder        ${one.toFixed(1).padStart(8)} ms   DynamoDB ${single[0]!.dynamo}  S3 ${single[0]!.s3}`);
    say(`  200 files into 10 new folders   ${many.toFixed(1).padStart(8)} ms   DynamoDB ${batch[0]!.dynamo}  S3 ${batch[0]!.s3}`);
    say(`  ratio                           ${(many / one).toFixed(1).padStart(8)} x`);
  } finally {
    setServicesForTests(undefined);
    await Promise.allSettled([s3.close(), dynamo.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

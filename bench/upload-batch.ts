/**
 * Batch cost of the SDK's upload call (issues 8 and 18): `POST /storage/buckets/:bucketUuid/upload`
 * with 1 file against 200 files into 10 new folders (the SDK's batch size), the
 * handler invoked in-process with API Gateway v2 events against DynamoDB Local
 * and s3rver started here. The two are interleaved (1, 200, 1, 200, ...) after
 * a warm-up (DynamoDB Local's JVM compiles its hot paths over the first calls);
 * printed: the medians, the spread of the paired ratios, and the DynamoDB and S3
 * requests each call made, per file (presigning sends nothing and is not counted).
 * Then the files of one 200-file call are PUT to their URLs and committed by the
 * object-created function (SQS batches of 10, as the queue delivers them): the
 * requests per file of that step (1 → 4) are printed too.
 *
 *   npm run bench -- upload-batch          (BENCH_RUNS=9, BENCH_WARMUP=5 by default)
 *
 * Figures only; nothing here asserts a time.
 */
import { performance } from 'node:perf_hooks';
import { handler as sessionUpload } from '../functions/apillon/session-upload/handler';
import { handler as objectCreated } from '../functions/events/object-created/handler';
import { createAccount, issueApiKey } from '../lib/core/access/accounts';
import { createBucket } from '../lib/core/access/buckets';
import { ALL_PERMISSIONS } from '../lib/core/access/principal';
import { setServicesForTests } from '../lib/app/services';
import { basicAuthorization, httpEvent, invoke, lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../test/support/events';
import { benchServices, CallCounter, startBenchEmulators } from './support';
import { median, say } from './figures';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);

async function main(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const emulators = await startBenchEmulators();
  try {
    const counts = new CallCounter();
    const services = await benchServices(emulators, counts);

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
      counts.reset();
      const started = performance.now();
      const result = await invoke(sessionUpload, event);
      const ms = performance.now() - started;
      if (result.statusCode !== 201 && result.statusCode !== 200) throw new Error(`upload call answered ${result.statusCode}: ${result.body}`);
      return { ms, dynamo: counts.dynamo, s3: counts.s3, files: result.body.data.files as { url: string; fileUuid: string }[] };
    };
    const oneFile = () => call([{ fileName: `single-${round}.txt`, path: `single-${round}`, contentType: 'text/plain' }]);
    // 200 files in 10 folders nobody has made yet, 20 per folder (a site's pages, two levels deep).
    const twoHundred = () =>
      call(Array.from({ length: 200 }, (_, i) => ({ fileName: `page-${i}.html`, path: `site-${round}/section-${i % 10}`, contentType: 'text/html' })));

    // Warm-up: the handler's modules, connections, and DynamoDB Local's JIT (its first calls are several times slower).
    for (round = -WARMUP; round < 0; round++) {
      await oneFile();
      await twoHundred();
    }
    const single: Awaited<ReturnType<typeof call>>[] = [];
    const batch: Awaited<ReturnType<typeof call>>[] = [];
    for (round = 1; round <= RUNS; round++) {
      single.push(await oneFile());
      batch.push(await twoHundred());
    }
    const [one, many] = [median(single.map((run) => run.ms)), median(batch.map((run) => run.ms))];
    const ratios = batch.map((run, index) => run.ms / single[index]!.ms).sort((a, b) => a - b);
    const perFile = (run: (typeof batch)[number], files: number) => `DynamoDB ${run.dynamo}  S3 ${run.s3}   (${((run.dynamo + run.s3) / files).toFixed(2)} requests per file)`;
    say(`session upload call, median of ${RUNS} interleaved runs after ${WARMUP} warm-up rounds (DynamoDB Local + s3rver, in-process handler):`);
    say(`  1 file into a new folder        ${one.toFixed(1).padStart(8)} ms   ${perFile(single[0]!, 1)}`);
    say(`  200 files into 10 new folders   ${many.toFixed(1).padStart(8)} ms   ${perFile(batch[0]!, 200)}`);
    say(`  ratio of the medians            ${(many / one).toFixed(1).padStart(8)} x   (paired ratios ${ratios[0]!.toFixed(1)}–${ratios.at(-1)!.toFixed(1)} x, median ${median(ratios).toFixed(1)} x)`);

    // The commit step of the last 200 files: their bytes PUT to the presigned URLs, then the object events.
    const last = batch.at(-1)!.files;
    await Promise.all(last.map((file, index) => fetch(file.url, { method: 'PUT', body: Buffer.from(`<p>page ${index}</p>`) }).then((response) => response.arrayBuffer())));
    counts.reset();
    const started = performance.now();
    for (let start = 0; start < last.length; start += 10) {
      const records = last.slice(start, start + 10).map((file) => sqsRecord(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [`uploads/${bucket.bucketUuid}/${file.fileUuid}`])));
      const { batchItemFailures } = await objectCreated(sqsEvent(records), lambdaContext());
      if (batchItemFailures.length > 0) throw new Error(`objectCreated failed ${batchItemFailures.length} message(s)`);
    }
    const ms = performance.now() - started;
    say(`  their commit (1 → 4), objectCreated in batches of 10: ${(ms / last.length).toFixed(1)} ms per file   DynamoDB ${(counts.dynamo / last.length).toFixed(2)}  S3 ${(counts.s3 / last.length).toFixed(2)} requests per file`);
  } finally {
    setServicesForTests(undefined);
    await emulators.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

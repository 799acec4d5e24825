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
import { performance } from 'node:perf_hooks';
import { handler as sessionUpload } from '../functions/apillon/session-upload/handler';
import { createAccount, issueApiKey } from '../lib/domain/accounts';
import { createBucket } from '../lib/domain/buckets';
import { ALL_PERMISSIONS } from '../lib/domain/principal';
import { setServicesForTests } from '../lib/services';
import { basicAuthorization, httpEvent, invoke } from '../test/support/events';
import { benchServices, CallCounter, startBenchEmulators } from './support';
import { median, say } from './figures';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function main(): Promise<void> {
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
    await emulators.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

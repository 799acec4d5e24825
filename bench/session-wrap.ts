/**
 * Cost of ending an upload session with a `directoryPath` (issue 10 item 2): a
 * session of N committed files in 10 folders is ended with
 * `{wrapWithDirectory: true, directoryPath}`, so every file moves (path claims,
 * listing keys, counts, directory marks in batched transactions) and the 10
 * emptied folders go. The session-end handler is invoked in-process with an API
 * Gateway v2 event against DynamoDB Local and s3rver started here; sizes are
 * interleaved (small, large, small, large, …) and the medians printed with the
 * DynamoDB requests per call and per file. Then the depth of `directoryPath`
 * (issue 18 item 5): the same 200-file session ended under a 1-level and a
 * 20-level path, interleaved, and the ratio of their medians (goal: at most 2×).
 *
 *   npm run bench -- session-wrap        (BENCH_RUNS=3, BENCH_FILES=200 by default)
 *
 * Figures only; nothing here asserts a time.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { handler as sessionEnd } from '../functions/apillon/session-end/handler';
import { createAccount, issueApiKey } from '../lib/core/access/accounts';
import { requestSessionUpload } from '../lib/apillon/uploads';
import { createBucket } from '../lib/core/access/buckets';
import { processObjectCreated } from '../lib/core/lifecycle/lifecycle';
import { mapConcurrently } from '../lib/core/model/concurrency';
import { ALL_PERMISSIONS, type Principal } from '../lib/core/access/principal';
import { uploadKeyOf } from '../lib/core/upload/uploads';
import { setServicesForTests } from '../lib/app/services';
import { basicAuthorization, httpEvent, invoke } from '../test/support/events';
import { benchServices, CallCounter, startBenchEmulators } from './support';
import { median, say } from './figures';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LARGE = Number(process.env.BENCH_FILES ?? 200);
const SMALL = 10;

async function main(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const emulators = await startBenchEmulators();
  try {
    const counts = new CallCounter();
    const services = await benchServices(emulators, counts);

    const account = await createAccount(services.accounts, { name: 'bench', quotaBytes: 1024 ** 4 });
    const key = await issueApiKey(services.accounts, account.accountId, ALL_PERMISSIONS);
    const authorization = basicAuthorization(key.apiKey, key.apiSecret);
    const principal: Principal = { accountId: account.accountId, credentialKind: 'api', credentialId: 'bench', permissions: new Set(ALL_PERMISSIONS) };

    /** A fresh bucket with a session of `count` committed files (10 folders), ended now with `directoryPath`. */
    const endOf = async (count: number, directoryPath = 'site/v1') => {
      const bucket = await createBucket(services.buckets, { accountId: account.accountId, name: `bench-${randomUUID()}`, public: true, maxSizeBytes: 1024 ** 4 });
      const sessionUuid = randomUUID();
      for (let start = 0; start < count; start += 200) {
        const files = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({ fileName: `page-${start + i}.html`, path: `section-${(start + i) % 10}/`, fileSize: 5 }));
        const { uploads } = await requestSessionUpload(services, principal, bucket.bucketUuid, { sessionUuid, files });
        // Every PUT before the first commit: s3rver removes a folder its last object left while another PUT
        // into it may be under way, and that PUT's unhandled ENOENT ends the process (s3rver 3.7).
        await mapConcurrently(uploads, 8, ({ file }) => services.blobs.put(uploadKeyOf(file), new TextEncoder().encode('hello'), 'text/html'));
        await mapConcurrently(uploads, 8, ({ file }) => processObjectCreated(services, uploadKeyOf(file)));
      }
      const event = httpEvent({
        method: 'POST',
        path: `/storage/buckets/${bucket.bucketUuid}/upload/${sessionUuid}/end`,
        pathParameters: { bucketUuid: bucket.bucketUuid, sessionUuid },
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ wrapWithDirectory: true, directoryPath }),
      });
      counts.reset();
      const started = performance.now();
      const result = await invoke(sessionEnd, event);
      const ms = performance.now() - started;
      if (result.statusCode !== 200) throw new Error(`end answered ${result.statusCode}: ${result.body}`);
      const moved = await services.entries.getPathClaim(bucket.bucketUuid, `${directoryPath}/section-0/page-0.html`);
      if (!moved) throw new Error('the files were not moved');
      return { ms, dynamo: counts.dynamo };
    };

    await endOf(SMALL); // warm-up: modules, connections
    const small: Awaited<ReturnType<typeof endOf>>[] = [];
    const large: Awaited<ReturnType<typeof endOf>>[] = [];
    for (let run = 0; run < RUNS; run++) {
      small.push(await endOf(SMALL));
      large.push(await endOf(LARGE));
    }
    const row = (count: number, runs: Awaited<ReturnType<typeof endOf>>[]) => {
      const ms = median(runs.map((one) => one.ms));
      const dynamo = median(runs.map((one) => one.dynamo));
      return `  ${String(count).padStart(5)} committed files   ${ms.toFixed(0).padStart(7)} ms   ${(ms / count).toFixed(2).padStart(6)} ms/file   DynamoDB ${String(dynamo).padStart(5)}  (${(dynamo / count).toFixed(2)}/file)`;
    };
    say(`session end with directoryPath, median of ${RUNS} interleaved runs (DynamoDB Local + s3rver, in-process handler):`);
    say(row(SMALL, small));
    say(row(LARGE, large));

    const deepPath = Array.from({ length: 20 }, (_, i) => `level-${i}`).join('/');
    const shallow: Awaited<ReturnType<typeof endOf>>[] = [];
    const deep: Awaited<ReturnType<typeof endOf>>[] = [];
    for (let run = 0; run < RUNS; run++) {
      shallow.push(await endOf(LARGE, 'site'));
      deep.push(await endOf(LARGE, deepPath));
    }
    const [one, twenty] = [median(shallow.map((run) => run.ms)), median(deep.map((run) => run.ms))];
    say(`the same ${LARGE}-file session ended under a 1-level and a 20-level directoryPath, median of ${RUNS} interleaved runs:`);
    say(`  1 level    ${one.toFixed(0).padStart(7)} ms   DynamoDB ${median(shallow.map((run) => run.dynamo))}`);
    say(`  20 levels  ${twenty.toFixed(0).padStart(7)} ms   DynamoDB ${median(deep.map((run) => run.dynamo))}`);
    say(`  ratio      ${(twenty / one).toFixed(2).padStart(7)} x   (paired ratios ${deep.map((run, i) => (run.ms / shallow[i]!.ms).toFixed(2)).join(', ')})`);
  } finally {
    setServicesForTests(undefined);
    await emulators.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

/**
 * Memory of warm handlers (issue 18 item 2). A warm Lambda container keeps its
 * module (and everything it holds) between invocations; whatever our code keeps
 * per invocation grows until the function's 512 MB run out. This runs the real
 * handlers in ONE Node process, as a warm container reuses them, against DynamoDB
 * Local and s3rver (s3rver in a child process, so its objects are not in this heap):
 *
 *   for each round: session-upload (1 file, 20 folders in turn) → the bytes PUT to
 *   the presigned URL → objectCreated with the SQS event S3 would send (1 → 4) →
 *   session-end (every 10th with wrapWithDirectory + directoryPath, so its file moves)
 *   → objectCreated again for every directory recompute those sent to the lifecycle
 *   queue (the SQS endpoint of the local stack, on an in-process queue drained each round)
 *
 * and prints, after every 1,000 rounds, the heap used after a forced full GC
 * (`--expose-gc`), RSS, and the median time of each handler over those rounds.
 * The goal (issue 18): flat, at most 20 MB of growth from 1,000 to 5,000.
 * Handlers log at `info` (what AWS runs) into a sink that drops the lines.
 *
 *   npm run bench -- handler-memory
 *   node --expose-gc --conditions=import --import tsx bench/handler-memory.ts     (BENCH_ROUNDS=5000, BENCH_EVERY=1000)
 *   BENCH_HEAP_SNAPSHOTS=/tmp/heaps  also writes a heap snapshot at each print; compare two with
 *                                    npx tsx bench/heap-diff.ts <before> <after>
 *
 * Figures only; nothing here asserts.
 */
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import path from 'node:path';
import { handler as sessionEnd } from '../functions/apillon/session-end/handler';
import { handler as sessionUpload } from '../functions/apillon/session-upload/handler';
import { handler as objectCreated } from '../functions/events/object-created/handler';
import { createAccount, issueApiKey } from '../lib/core/access/accounts';
import { createBucket } from '../lib/core/access/buckets';
import { ALL_PERMISSIONS } from '../lib/core/access/principal';
import { createLogger } from '../lib/log';
import { setServicesForTests } from '../lib/app/services';
import { basicAuthorization, httpEvent, invoke, lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../test/support/events';
import { LocalQueue } from '../lib/local/object-event-queue';
import { startLocalSqsEndpoint } from '../lib/local/sqs-endpoint';
import { benchServices, CallCounter, startBenchEmulators } from './support';
import { median, say } from './figures';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5000);
const EVERY = Number(process.env.BENCH_EVERY ?? 1000);
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS;
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap used after full collections (bytes): what this process still holds. */
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc: node --expose-gc --conditions=import --import tsx bench/handler-memory.ts (npm run bench -- handler-memory does)');
  // Metrics are collected and cleared per invocation as on AWS, but not printed (5,000 EMF lines per handler).
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const emulators = await startBenchEmulators({ s3: 'child-process' });
  // The lifecycle queue the functions send directory recomputes to, as on the local stack; drained every round.
  const queue = new LocalQueue({ name: 'object-events', visibilityTimeoutMs: 30_000 });
  const sqs = await startLocalSqsEndpoint([queue]);
  try {
    const built = await benchServices(emulators, new CallCounter(), { SQS_ENDPOINT: sqs.endpoint, LIFECYCLE_QUEUE_URL: sqs.queueUrl(queue.name) });
    // What AWS runs: info-level entries, formatted and redacted, written nowhere (errors to stderr).
    const sink = (line: string) => void (line.includes('"level":"error"') && process.stderr.write(`${line}\n`));
    const services = { ...built, logger: createLogger(process.env.BENCH_LOG_LEVEL === 'silent' ? 'silent' : 'info', { service: 'storage', stage: 'bench' }, sink) };
    setServicesForTests(services);

    const account = await createAccount(services.accounts, { name: 'bench', quotaBytes: 1024 ** 4 });
    const key = await issueApiKey(services.accounts, account.accountId, ALL_PERMISSIONS);
    const bucket = await createBucket(services.buckets, { accountId: account.accountId, name: 'bench', public: true, maxSizeBytes: 1024 ** 4 });
    const authorization = basicAuthorization(key.apiKey, key.apiSecret);
    const headers = { authorization, 'content-type': 'application/json' };

    const times = { upload: [] as number[], event: [] as number[], end: [] as number[], directory: [] as number[] };
    /** Delivers what the queue holds (directory recomputes) to objectCreated, as the event source mapping would; `all` waits out delays. */
    const drainQueue = async (all: boolean) => {
      for (;;) {
        const next = queue.nextVisibleInMs();
        if (next === undefined || (next > 0 && !all)) return;
        if (next > 0) await new Promise((resolve) => setTimeout(resolve, next));
        const messages = queue.receive(10);
        if (messages.length === 0) continue;
        const event = sqsEvent(messages.map((message) => sqsRecord(message.body, { messageId: message.messageId })));
        const { batchItemFailures } = await timed(times.directory, () => objectCreated(event, lambdaContext()));
        const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        if (failed.size > 0) throw new Error(`objectCreated failed ${failed.size} queued message(s)`);
        for (const message of messages) queue.delete(message.receiptHandle);
      }
    };
    const timed = async <T>(into: number[], work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      into.push(performance.now() - started);
      return result;
    };

    const round = async (index: number) => {
      const upload = await timed(times.upload, () =>
        invoke(sessionUpload, httpEvent({
          method: 'POST',
          path: `/storage/buckets/${bucket.bucketUuid}/upload`,
          pathParameters: { bucketUuid: bucket.bucketUuid },
          headers,
          body: JSON.stringify({ files: [{ fileName: `page-${index}.html`, path: `folder-${index % 20}`, contentType: 'text/html' }] }),
        })),
      );
      if (upload.statusCode !== 201) throw new Error(`session upload answered ${upload.statusCode}: ${upload.rawBody}`);
      const { sessionUuid, files } = upload.body.data as { sessionUuid: string; files: { url: string; fileUuid: string }[] };
      const put = await fetch(files[0]!.url, { method: 'PUT', body: Buffer.from(`<p>page ${index}</p>`) });
      await put.arrayBuffer();
      if (put.status !== 200) throw new Error(`PUT answered ${put.status}`);

      const objectKey = `uploads/${bucket.bucketUuid}/${files[0]!.fileUuid}`;
      const event = sqsEvent([sqsRecord(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [objectKey]))]);
      const { batchItemFailures } = await timed(times.event, () => objectCreated(event, lambdaContext()));
      if (batchItemFailures.length > 0) throw new Error(`objectCreated failed for ${objectKey}`);

      const wrap = index % 10 === 0 ? { wrapWithDirectory: true, directoryPath: `wrapped-${index}` } : {};
      const end = await timed(times.end, () =>
        invoke(sessionEnd, httpEvent({
          method: 'POST',
          path: `/storage/buckets/${bucket.bucketUuid}/upload/${sessionUuid}/end`,
          pathParameters: { bucketUuid: bucket.bucketUuid, sessionUuid },
          headers,
          body: JSON.stringify(wrap),
        })),
      );
      if (end.statusCode !== 200) throw new Error(`session end answered ${end.statusCode}: ${end.rawBody}`);
      await drainQueue(false);
    };

    say(`warm handlers in one process: session-upload, objectCreated, session-end, ${ROUNDS} invocations each (DynamoDB Local + s3rver):`);
    say(`  invocations   heap used after GC   growth since first print   RSS      median ms: upload  objectCreated  end   (directory messages: invocations, median ms)`);
    let first: number | undefined;
    const started = Date.now();
    for (let index = 1; index <= ROUNDS; index++) {
      await round(index);
      if (index % EVERY !== 0) continue;
      await drainQueue(true);
      const heap = heapAfterGc();
      first ??= heap;
      const rss = process.memoryUsage().rss;
      say(
        `  ${String(index).padStart(11)}   ${(heap / MB).toFixed(1).padStart(10)} MB        ${`${heap - first >= 0 ? '+' : ''}${((heap - first) / MB).toFixed(1)} MB`.padStart(10)}            ` +
          `${(rss / MB).toFixed(0).padStart(4)} MB   ${median(times.upload).toFixed(1).padStart(11)}  ${median(times.event).toFixed(1).padStart(13)}  ${median(times.end).toFixed(1).padStart(5)}` +
          `   (${times.directory.length}, ${median(times.directory).toFixed(1)})`,
      );
      times.upload.length = times.event.length = times.end.length = times.directory.length = 0;
      if (SNAPSHOTS) writeHeapSnapshot(path.join(SNAPSHOTS, `handler-memory-${index}.heapsnapshot`));
    }
    say(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    setServicesForTests(undefined);
    await Promise.allSettled([sqs.close(), emulators.stop()]);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

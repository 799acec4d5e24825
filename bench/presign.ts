/**
 * Presigning an upload batch's 200 PUT URLs (issue 18: the batch call's cost): the SDK's `getSignedUrl` per URL
 * (A: it resolves the endpoint and builds and runs the client's middleware stack each time) against
 * lib/store/blob-store.ts's `presignUpload` (B: the stack once per store, each URL a copy of that request signed by
 * the SDK's `S3RequestPresigner`; test/unit/blob-store-presign.test.ts shows both give the same bytes).
 * Interleaved A, B, A, B… after a warm-up; 200 URLs at once per round, as the upload call asks for them.
 * Nothing is sent: presigning is local.
 *
 *   npm run bench -- presign          (BENCH_RUNS=15, BENCH_WARMUP=5 by default)
 */
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseConfig } from '../lib/config';
import { S3BlobStore } from '../lib/store/blob-store';
import { createAwsClients } from '../lib/store/clients';
import { median, say } from './figures';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const BATCH = 200;

async function main(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  const config = parseConfig({ AWS_REGION: 'us-east-1', TABLE_NAME: 't', FILES_BUCKET: 'storage-files', REPLICA_BUCKET: 'storage-replica', S3_ENDPOINT: 'http://127.0.0.1:4569' });
  const clients = createAwsClients(config);
  const client = await clients.s3();
  const store = new S3BlobStore(clients.s3, config.FILES_BUCKET, config.REPLICA_BUCKET);
  const keys = Array.from({ length: BATCH }, (_, i) => `uploads/bench/${i}/file ${i}.html`);

  const sdk = () =>
    Promise.all(
      keys.map((key) =>
        getSignedUrl(client, new PutObjectCommand({ Bucket: config.FILES_BUCKET, Key: key, ContentLength: 1000 }), {
          expiresIn: 60,
          unhoistableHeaders: new Set(['content-length']),
        }),
      ),
    );
  const ours = () => Promise.all(keys.map((key) => store.presignUpload(key, 60, 1000)));
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };

  for (let i = 0; i < WARMUP; i++) await Promise.all([sdk(), ours()]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await timed(sdk));
    b.push(await timed(ours));
  }
  const ratios = a.map((ms, i) => b[i]! / ms).sort((x, y) => x - y);
  say(`${BATCH} presigned PUT URLs, ${RUNS} interleaved rounds after ${WARMUP} warm-up:`);
  say(`  A getSignedUrl per URL        median ${median(a).toFixed(1)} ms (${Math.min(...a).toFixed(1)}–${Math.max(...a).toFixed(1)})`);
  say(`  B presignUpload (one request) median ${median(b).toFixed(1)} ms (${Math.min(...b).toFixed(1)}–${Math.max(...b).toFixed(1)})`);
  say(`  B/A paired: median ${median(ratios).toFixed(2)}, ${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { Services } from '../services';

export interface DependencyHealth {
  readonly name: string;
  readonly healthy: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

const PROBE_TIMEOUT_MS = 3000;

async function probe(name: string, check: (signal: AbortSignal) => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    await check(signal);
    return { name, healthy: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${PROBE_TIMEOUT_MS} ms` : (error as Error).name;
    return { name, healthy: false, latencyMs: Math.round(performance.now() - started), error: reason };
  }
}

/** Probes DynamoDB (the table) and S3 (both buckets) in parallel, each with a timeout. */
export function checkDependencies(services: Services): Promise<DependencyHealth[]> {
  const { clients, config } = services;
  return Promise.all([
    probe('dynamodb', (abortSignal) =>
      clients.dynamo.send(new DescribeTableCommand({ TableName: config.TABLE_NAME }), { abortSignal })),
    probe('s3', (abortSignal) => clients.s3.send(new HeadBucketCommand({ Bucket: config.FILES_BUCKET }), { abortSignal })),
    probe('s3-replica', (abortSignal) =>
      clients.s3.send(new HeadBucketCommand({ Bucket: config.REPLICA_BUCKET }), { abortSignal })),
  ]);
}

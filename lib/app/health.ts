import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { CoreServices as Services } from './services';

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

/** S3 HeadBucket (IAM: s3:ListBucket on the bucket), the S3 SDK loaded on first use (lib/store/clients.ts). */
async function headBucket(services: Services, bucket: string, abortSignal: AbortSignal): Promise<unknown> {
  const [{ HeadBucketCommand }, s3] = await Promise.all([import('../store/s3-commands'), services.clients.s3()]);
  return s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
}

/** Probes DynamoDB (the table) and S3 (both buckets) in parallel, each with a timeout. */
export function checkDependencies(services: Services): Promise<DependencyHealth[]> {
  const { clients, config } = services;
  return Promise.all([
    probe('dynamodb', (abortSignal) =>
      clients.dynamo.send(new DescribeTableCommand({ TableName: config.TABLE_NAME }), { abortSignal })),
    probe('s3', (abortSignal) => headBucket(services, config.FILES_BUCKET, abortSignal)),
    probe('s3-replica', (abortSignal) => headBucket(services, config.REPLICA_BUCKET, abortSignal)),
  ]);
}

/**
 * How long a warm container reuses its last probe round, in ms. `/status` needs no
 * credentials: whatever the request rate, each container sends DynamoDB and S3 at most
 * one round of probes per this period (plus the one in flight, which callers share).
 */
export const DEPENDENCY_PROBE_TTL_MS = 5000;

export interface DependencyReport {
  /** When the probes of this report started (ISO 8601). */
  readonly checkedAt: string;
  readonly dependencies: DependencyHealth[];
}

/**
 * The last probe round of each services object. Bound: one entry per `Services` (a warm container
 * has one), replaced by the next round once DEPENDENCY_PROBE_TTL_MS has passed; weakly held, so
 * services a test drops take their entry with them.
 */
const recentReports = new WeakMap<Services, { readonly expiresAt: number; readonly report: Promise<DependencyReport> }>();

/**
 * checkDependencies, at most once per DEPENDENCY_PROBE_TTL_MS per `services` (one per
 * warm container): calls within the period get the same report, healthy or not.
 * `now` (epoch ms) is the caller's clock.
 */
export function recentDependencyReport(services: Services, now: number = Date.now()): Promise<DependencyReport> {
  const recent = recentReports.get(services);
  if (recent && now < recent.expiresAt) return recent.report;
  const report = checkDependencies(services).then((dependencies) => ({ checkedAt: new Date(now).toISOString(), dependencies }));
  recentReports.set(services, { expiresAt: now + DEPENDENCY_PROBE_TTL_MS, report });
  return report;
}

import { parseConfig, type Config } from '../config';
import { createLogger, type Logger } from '../log';
import { createMetrics, type InvocationMetrics } from './metrics';
import { DynamoAccountStore } from '../store/account-store';
import type { AccountStore } from '../core/ports';
import { DynamoBucketStore } from '../store/bucket-store';
import type { BucketStore } from '../core/ports';
import { createAwsClients, type AwsClients } from '../store/clients';
import type { Table } from '../store/table';
import { S3BlobStore } from '../store/blob-store';
import { DynamoDeletionStore } from '../store/deletion-store';
import { DynamoDirectoryStore } from '../store/directory-store';
import { DynamoDownloadTokenStore } from '../store/download-token-store';
import { DynamoEntryStore } from '../store/entry-store';
import { DynamoLifecycleStore } from '../store/lifecycle-store';
import { DynamoListingStore } from '../store/listing-store';
import { DynamoSessionStore } from '../store/session-store';
import { DynamoMoveStore } from '../store/move-store';
import type { SessionStore } from '../core/ports';
import { SqsLifecycleQueue } from '../store/lifecycle-queue';
import { DynamoUploadStore } from '../store/upload-store';
import type { StorageDeps } from '../core/ports/storage';
import type { BandwidthDeps } from '../core/read/bandwidth';
import type { IpnsDeps } from '../apillon/ipns';
import { DynamoIpnsStore } from '../store/ipns-store';
import { DynamoBandwidthStore } from '../store/bandwidth-store';
import type { MultipartUploadStore } from '../core/ports/multipart-uploads';
import { S3MultipartStore } from '../store/multipart-store';
import type { BucketPolicyStore } from '../core/ports/bucket-policy';
import { DynamoBucketPolicyStore } from '../store/bucket-policy-store';
import type { WebhookStore } from '../core/ports/webhook-store';
import type { WebhookTransport } from '../core/ports/webhook-transport';
import type { AddressPolicy } from '../core/webhooks/address-policy';
import { scaledRetrySchedule, type RetrySchedule } from '../core/webhooks/retry-schedule';
import { DynamoWebhookStore } from '../store/webhook-store';
import { SqsWebhookQueue } from '../store/webhook-queue';

/**
 * Everything a handler needs, built once per cold start from the validated
 * configuration. Handlers receive it; tests build their own against emulators.
 */
export interface Services extends StorageDeps, BandwidthDeps, Omit<IpnsDeps, 'keySealer'> {
  readonly config: Config;
  readonly logger: Logger;
  /** The metrics port (lib/core/ports/metrics.ts); the shared stack and the event functions publish it once per invocation. */
  readonly metrics: InvocationMetrics;
  readonly clients: AwsClients;
  readonly table: Table;
  readonly accounts: AccountStore;
  readonly buckets: BucketStore;
  /** Apillon upload sessions. */
  readonly sessions: SessionStore;
  /** S3 multipart uploads in the files bucket (lib/apillon/multipart.ts). */
  readonly multipart: MultipartUploadStore;
  /** Buckets' upload policies (lib/core/upload/policy.ts). */
  readonly bucketPolicies: BucketPolicyStore;
  readonly webhooks: WebhookStore;
  /** Resolves and calls webhook targets; its module (and ipaddr.js) loads on first use. */
  readonly webhookTransport: WebhookTransport;
  readonly webhookAddressPolicy: AddressPolicy;
  readonly webhookRetrySchedule: RetrySchedule;
}

/** The HTTP webhook sender, loaded on its first call: only the functions that resolve or call targets load it. */
function lazyWebhookTransport(policy: AddressPolicy): WebhookTransport {
  let sender: Promise<WebhookTransport> | undefined;
  const load = () => (sender ??= import('../store/webhook-sender').then(({ HttpWebhookSender }) => new HttpWebhookSender(policy)));
  return {
    resolveHost: async (hostname) => (await load()).resolveHost(hostname),
    post: async (request) => (await load()).post(request),
  };
}

export function createServices(cfg: Config, clients: AwsClients = createAwsClients(cfg)): Services {
  const table: Table = { client: clients.dynamo, name: cfg.TABLE_NAME };
  return {
    config: cfg,
    logger: createLogger(cfg.LOG_LEVEL, { service: 'storage', stage: cfg.STAGE }),
    metrics: createMetrics(cfg.STAGE),
    clients,
    table,
    accounts: new DynamoAccountStore(table),
    buckets: new DynamoBucketStore(table),
    entries: new DynamoEntryStore(table),
    listings: new DynamoListingStore(table),
    lifecycle: new DynamoLifecycleStore(table),
    deletions: new DynamoDeletionStore(table),
    directories: new DynamoDirectoryStore(table),
    downloadTokens: new DynamoDownloadTokenStore(table),
    uploads: new DynamoUploadStore(table),
    ...(cfg.LIFECYCLE_QUEUE_URL ? { lifecycleQueue: new SqsLifecycleQueue(clients.sqs, cfg.LIFECYCLE_QUEUE_URL) } : {}),
    sessions: new DynamoSessionStore(table),
    moves: new DynamoMoveStore(table),
    blobs: new S3BlobStore(clients.s3, cfg.FILES_BUCKET, cfg.REPLICA_BUCKET, undefined, cfg.MULTIPART_COPY_THRESHOLD_BYTES),
    multipart: new S3MultipartStore(clients.s3, cfg.FILES_BUCKET),
    bucketPolicies: new DynamoBucketPolicyStore(table),
    presignTtlSeconds: cfg.presignTtlSeconds,
    cidSlice: { maxMs: cfg.CID_SLICE_SECONDS * 1000, ...(cfg.CID_SLICE_BYTES === undefined ? {} : { maxBytes: cfg.CID_SLICE_BYTES }) },
    bandwidth: new DynamoBandwidthStore(table),
    monthlyBandwidthBytes: cfg.MONTHLY_BANDWIDTH_BYTES,
    ipns: new DynamoIpnsStore(table),
    webhooks: new DynamoWebhookStore(table),
    ...(cfg.WEBHOOK_QUEUE_URL ? { webhookQueue: new SqsWebhookQueue(clients.sqs, cfg.WEBHOOK_QUEUE_URL, cfg.WEBHOOK_DEAD_LETTER_QUEUE_URL) } : {}),
    webhookTransport: lazyWebhookTransport({ allowLoopback: cfg.WEBHOOK_ALLOW_LOOPBACK ?? false }),
    webhookAddressPolicy: { allowLoopback: cfg.WEBHOOK_ALLOW_LOOPBACK ?? false },
    webhookRetrySchedule: scaledRetrySchedule(cfg.WEBHOOK_RETRY_FIRST_DELAY_SECONDS),
  };
}

/**
 * The process's one set of services (clients, stores, logger, metrics), kept for the life of the
 * container: one object, whatever the number of invocations.
 *
 * In a Lambda (AWS sets AWS_LAMBDA_FUNCTION_NAME, as does serverless-offline) the
 * services are built while this module loads: a missing or malformed variable
 * fails the function's init with `Invalid service configuration: TABLE_NAME: required`
 * instead of answering 500 to the first request. Elsewhere (tests, scripts, which
 * build their own from parseConfig) they are built on first use.
 */
let cached: Services | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME ? createServices(parseConfig(process.env)) : undefined;

/** The process-wide services. */
export function services(): Services {
  cached ??= createServices(parseConfig(process.env));
  return cached;
}

/** Lets tests point handlers at their own services (emulators on free ports). */
export function setServicesForTests(value: Services | undefined): void {
  cached = value;
}

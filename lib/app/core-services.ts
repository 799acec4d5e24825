import type { Config } from '../config';
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
import { DynamoUploadStore } from '../store/upload-store';
import type { StorageDeps } from '../core/ports/storage';
import type { BandwidthDeps } from '../core/read/bandwidth';
import type { IpnsDeps } from '../apillon/ipns';
import { DynamoIpnsStore } from '../store/ipns-store';
import { DynamoBandwidthStore } from '../store/bandwidth-store';
import type { BucketPolicyStore } from '../core/ports/bucket-policy';
import { DynamoBucketPolicyStore } from '../store/bucket-policy-store';

/**
 * What every function needs, built once per cold start from the validated configuration: the
 * configuration, logger, metrics, the DynamoDB and S3 clients and the table's stores. Handlers receive
 * it; tests build their own against emulators.
 *
 * What only some functions use is composed on top of it by the functions that use it (lib/app/queues.ts,
 * webhooks.ts, multipart.ts, block-index.ts, blob-copies.ts, blob-streams.ts, signing-services.ts, each an {@link extension}; lib/app/services.ts holds
 * the process's own), so that esbuild leaves the
 * rest out of every other bundle: a cold start parses (and, with source maps, maps) the whole bundle,
 * evaluated or not. bench/bundles.ts prints the figures.
 */
export interface CoreServices extends StorageDeps, BandwidthDeps, Omit<IpnsDeps, 'keySealer'> {
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
  /** Buckets' upload policies (lib/core/upload/policy.ts). */
  readonly bucketPolicies: BucketPolicyStore;
}

/** The services every function builds (see {@link CoreServices}). */
export function createCoreServices(cfg: Config, clients: AwsClients = createAwsClients(cfg)): CoreServices {
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
    sessions: new DynamoSessionStore(table),
    moves: new DynamoMoveStore(table),
    blobs: new S3BlobStore(clients.s3, cfg.FILES_BUCKET, cfg.REPLICA_BUCKET),
    bucketPolicies: new DynamoBucketPolicyStore(table),
    presignTtlSeconds: cfg.presignTtlSeconds,
    cidSlice: { maxMs: cfg.CID_SLICE_SECONDS * 1000, ...(cfg.CID_SLICE_BYTES === undefined ? {} : { maxBytes: cfg.CID_SLICE_BYTES }) },
    bandwidth: new DynamoBandwidthStore(table),
    monthlyBandwidthBytes: cfg.MONTHLY_BANDWIDTH_BYTES,
    ipns: new DynamoIpnsStore(table),
  };
}

/**
 * An extension of the core services: `build` makes what it adds from them, once per core services object
 * (a warm container has one; weakly held, so services a test drops take theirs with them). What the given
 * services already hold is kept: tests hand in complete services (lib/app/all-services.ts), perhaps with a port of
 * their own (a recording queue), and that is what the handler must use.
 */
export function extension<E extends object>(build: (core: CoreServices) => E): <C extends CoreServices>(core: C) => C & E {
  const built = new WeakMap<CoreServices, CoreServices & E>();
  return <C extends CoreServices>(core: C) => {
    let extended = built.get(core);
    if (!extended) {
      extended = { ...build(core), ...core };
      built.set(core, extended);
    }
    return extended as C & E;
  };
}

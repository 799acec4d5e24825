import { config, type Config } from './config';
import { createLogger, type Logger } from './log';
import { DynamoAccountStore, type AccountStore } from './store/account-store';
import { DynamoBucketStore, type BucketStore } from './store/bucket-store';
import { createAwsClients, type AwsClients } from './store/clients';
import type { Table } from './store/table';
import { S3BlobStore } from './store/blob-store';
import { DynamoEntryStore } from './store/entry-store';
import { DynamoSessionStore, type SessionStore } from './store/session-store';
import { DynamoStrandedStore, type StrandedStore } from './store/stranded-store';
import type { StorageDeps } from './domain/storage';

/**
 * Everything a handler needs, built once per cold start from the validated
 * configuration. Handlers receive it; tests build their own against emulators.
 */
export interface Services extends StorageDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clients: AwsClients;
  readonly table: Table;
  readonly accounts: AccountStore;
  readonly buckets: BucketStore;
  /** Apillon upload sessions. */
  readonly sessions: SessionStore;
  /** Files with a lifecycle step still to run (the sweeper's index). */
  readonly stranded: StrandedStore;
}

export function createServices(cfg: Config, clients: AwsClients = createAwsClients(cfg)): Services {
  const table: Table = { client: clients.dynamo, name: cfg.TABLE_NAME };
  return {
    config: cfg,
    logger: createLogger(cfg.LOG_LEVEL, { service: 'storage', stage: cfg.STAGE }),
    clients,
    table,
    accounts: new DynamoAccountStore(table),
    buckets: new DynamoBucketStore(table),
    entries: new DynamoEntryStore(table),
    sessions: new DynamoSessionStore(table),
    stranded: new DynamoStrandedStore(table),
    blobs: new S3BlobStore(clients.s3, cfg.FILES_BUCKET, cfg.REPLICA_BUCKET),
    presignTtlSeconds: cfg.presignTtlSeconds,
  };
}

let cached: Services | undefined;

export function services(): Services {
  cached ??= createServices(config());
  return cached;
}

/** Lets tests point handlers at their own services (emulators on free ports). */
export function setServicesForTests(value: Services | undefined): void {
  cached = value;
}

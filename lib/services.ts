import { config, type Config } from './config';
import { createLogger, type Logger } from './log';
import { DynamoAccountStore, type AccountStore } from './store/account-store';
import { DynamoBucketStore, type BucketStore } from './store/bucket-store';
import { awsClients, type AwsClients } from './store/clients';
import type { Table } from './store/table';

/**
 * Everything a handler needs, built once per cold start from the validated
 * configuration. Handlers receive it; tests build their own against emulators.
 */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly clients: AwsClients;
  readonly table: Table;
  readonly accounts: AccountStore;
  readonly buckets: BucketStore;
}

export function createServices(cfg: Config, clients: AwsClients = awsClients(cfg)): Services {
  const table: Table = { client: clients.dynamo, name: cfg.TABLE_NAME };
  return {
    config: cfg,
    logger: createLogger(cfg.LOG_LEVEL, { service: 'storage', stage: cfg.STAGE }),
    clients,
    table,
    accounts: new DynamoAccountStore(table),
    buckets: new DynamoBucketStore(table),
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

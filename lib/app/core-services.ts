import type { Config } from '../config';
import { createLogger, type Logger } from '../log';
import { createMetrics, type InvocationMetrics } from './metrics';
import { DynamoAccountStore } from '../store/account-store';
import type { AccountStore } from '../core/ports';
import type { CidSlice } from '../core/model/cid-slice';
import { createAwsClients, type AwsClients } from '../store/clients';
import type { Table } from '../store/table';

/**
 * What every function needs, built once per cold start from the validated configuration: the
 * configuration, logger, metrics, the DynamoDB and S3 clients, the table, the account store (the shared HTTP
 * stack authenticates with it: lib/http/middleware/authenticate.ts) and the settings the domain reads. Handlers
 * receive it; tests build their own against emulators.
 *
 * What only some functions use is composed on top of it by the functions that use it, each an {@link extension}:
 * the table's other stores and the blob store, one by one (lib/app/stores.ts `withStores`), and queues.ts,
 * webhooks.ts, multipart.ts, block-index.ts, blob-copies.ts, blob-streams.ts, signing-services.ts (lib/app/services.ts
 * holds the process's own), so that esbuild leaves the rest out of every other bundle: a cold start parses (and, with
 * source maps, maps) the whole bundle, evaluated or not. bench/bundles.ts prints the figures.
 */
export interface CoreServices {
  readonly config: Config;
  readonly logger: Logger;
  /** The metrics port (lib/core/ports/metrics.ts); the shared stack and the event functions publish it once per invocation. */
  readonly metrics: InvocationMetrics;
  readonly clients: AwsClients;
  readonly table: Table;
  /** Accounts and their credentials: what the shared HTTP stack authenticates with. */
  readonly accounts: AccountStore;
  /** Presigned URLs (upload PUT, large download GET) expire after this many seconds (lib/core/ports/storage.ts). */
  readonly presignTtlSeconds: number;
  /** How much of an object one invocation hashes before handing on (lib/core/lifecycle/sliced-cids.ts). */
  readonly cidSlice: CidSlice;
  /** Bytes an account may be served per month (reported, not enforced: lib/core/read/bandwidth.ts). */
  readonly monthlyBandwidthBytes: number;
}

/**
 * How much work one invocation does before it hands on through the queue (the CID hashing's `cidSlice`, the copies'
 * `copySlice`, lib/app/blob-copies.ts), from a configuration's seconds and optional bytes.
 */
export function sliceOf(seconds: number, bytes: number | undefined): CidSlice {
  return { maxMs: seconds * 1000, ...(bytes === undefined ? {} : { maxBytes: bytes }) };
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
    presignTtlSeconds: cfg.presignTtlSeconds,
    cidSlice: sliceOf(cfg.CID_SLICE_SECONDS, cfg.CID_SLICE_BYTES),
    monthlyBandwidthBytes: cfg.MONTHLY_BANDWIDTH_BYTES,
  };
}

/**
 * An extension of the core services: `build` makes what it adds from them, once per core services object
 * (a warm container has one; weakly held, so services a test drops take theirs with them). What the given
 * services already hold is kept: tests hand in complete services (lib/app/all-services.ts), perhaps with a port of
 * their own (a recording queue), and that is what the handler must use. `R` is what `build` needs beyond the core
 * services (another extension's store, composed first: lib/app/blob-copies.ts needs the blob store).
 */
export function extension<E extends object, R extends object = object>(build: (core: CoreServices & R) => E): <C extends CoreServices & R>(core: C) => C & E {
  const built = new WeakMap<CoreServices, object>();
  return <C extends CoreServices & R>(core: C) => {
    let extended = built.get(core) as (C & E) | undefined;
    if (!extended) {
      extended = { ...build(core), ...core };
      built.set(core, extended);
    }
    return extended;
  };
}

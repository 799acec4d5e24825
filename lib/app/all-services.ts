import type { Config } from '../config';
import { createAwsClients, type AwsClients } from '../store/clients';
import { blobCopiesOf } from './blob-copies';
import { blobStreamsOf } from './blob-streams';
import { blockIndexOf } from './block-index';
import { multipartOf } from './multipart';
import { queuesOf } from './queues';
import { createCoreServices } from './core-services';
import type { Services } from './services';
import { allStoresOf } from './stores';
import { webhooksOf } from './webhooks';

/**
 * Every service any function uses, for `cfg`: the core services, every store and every extension (queues, webhooks,
 * multipart, block index, blob copies and streams). For tests, scripts and the local stack's seeding, which drive any handler; a deployed function
 * builds only its own composition (lib/app/route.ts `routeUsing`), so no handler imports this module.
 */
export function createServices(cfg: Config, clients: AwsClients = createAwsClients(cfg)): Services {
  const base = createCoreServices(cfg, clients);
  const core = { ...base, ...allStoresOf(base) };
  return { ...core, ...queuesOf(core), ...webhooksOf(core), ...multipartOf(core), ...blockIndexOf(core), ...blobCopiesOf(core), ...blobStreamsOf(core) };
}

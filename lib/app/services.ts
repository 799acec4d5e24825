import { parseConfig } from '../config';
import { createCoreServices, type CoreServices } from './core-services';
import type { BlobCopyServices } from './blob-copies';
import type { BlobStreamServices } from './blob-streams';
import type { BlockIndexServices } from './block-index';
import type { MultipartServices } from './multipart';
import type { QueueServices } from './queues';
import type { StoreServices } from './stores';
import type { WebhookServices } from './webhooks';

export type { CoreServices } from './core-services';

/**
 * Everything any function uses: the core services with every store and every extension (queues, webhooks, multipart, block index, blob
 * copies and streams), what tests and scripts build (lib/app/all-services.ts `createServices`) and hand to any handler.
 */
export type Services = CoreServices & StoreServices & QueueServices & WebhookServices & MultipartServices & BlockIndexServices & BlobCopyServices & BlobStreamServices;

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
let cached: CoreServices | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME ? createCoreServices(parseConfig(process.env)) : undefined;

/** The process-wide core services (a function's extensions are built on them: lib/app/core-services.ts `extension`). */
export function services(): CoreServices {
  cached ??= createCoreServices(parseConfig(process.env));
  return cached;
}

/** Lets tests point handlers at their own services (emulators on free ports; complete ones: lib/app/all-services.ts). */
export function setServicesForTests(value: Services | undefined): void {
  cached = value;
}

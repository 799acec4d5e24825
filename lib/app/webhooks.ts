import type { WebhookStore } from '../core/ports/webhook-store';
import type { WebhookTransport } from '../core/ports/webhook-transport';
import type { AddressPolicy } from '../core/webhooks/address-policy';
import { scaledRetrySchedule, type RetrySchedule } from '../core/webhooks/retry-schedule';
import { DynamoWebhookStore } from '../store/webhook-store';
import { extension, type CoreServices } from './core-services';

/**
 * What the webhook routes (PUT/GET/DELETE /storage/buckets/:bucketUuid/webhook, deliveries) and the deliverer
 * (functions/events/webhook-deliver) use: the webhook store, the transport that resolves and calls targets
 * (its module and ipaddr.js loaded on first use), the address policy and the retry schedule.
 */
export interface WebhookServices {
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

/** The webhook services of `core`'s configuration. */
export function webhooksOf(core: CoreServices): WebhookServices {
  const { config: cfg, table } = core;
  const policy: AddressPolicy = { allowLoopback: cfg.WEBHOOK_ALLOW_LOOPBACK ?? false };
  return {
    webhooks: new DynamoWebhookStore(table),
    webhookTransport: lazyWebhookTransport(policy),
    webhookAddressPolicy: policy,
    webhookRetrySchedule: scaledRetrySchedule(cfg.WEBHOOK_RETRY_FIRST_DELAY_SECONDS),
  };
}

/** The core services with the webhook services (built once per core services object). */
export const withWebhooks = extension(webhooksOf);

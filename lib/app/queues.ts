import type { LifecycleQueue } from '../core/ports';
import type { WebhookQueue } from '../core/ports/webhook-queue';
import type { WebhookStore } from '../core/ports/webhook-store';
import { sqsClient } from '../store/clients';
import { SqsLifecycleQueue } from '../store/lifecycle-queue';
import { SqsWebhookQueue } from '../store/webhook-queue';
import { DynamoWebhookStore } from '../store/webhook-store';
import { extension, type CoreServices } from './core-services';

/**
 * The queues a function sends to (the SQS client, loaded on first use: lib/store/clients.ts `sqsClient`):
 * - `lifecycleQueue` where LIFECYCLE_QUEUE_URL is set (the functions that commit, delete or move files, and the
 *   sweeper; lib/core/ports/storage.ts);
 * - `webhookQueue` where WEBHOOK_QUEUE_URL is set, with the webhook store the announcement reads
 *   (lib/core/webhooks/announce.ts).
 * Only the functions whose function.yml names a queue compose it (test/unit/function-composition.test.ts holds
 * them to it): a function without it leaves the SQS client out of its bundle.
 */
export interface QueueServices {
  readonly lifecycleQueue?: LifecycleQueue;
  readonly webhookQueue?: WebhookQueue;
  readonly webhooks: WebhookStore;
}

/** The queue services of `core`'s configuration. */
export function queuesOf(core: CoreServices): QueueServices {
  const { config: cfg, table } = core;
  const sqs = sqsClient(cfg);
  return {
    ...(cfg.LIFECYCLE_QUEUE_URL ? { lifecycleQueue: new SqsLifecycleQueue(sqs, cfg.LIFECYCLE_QUEUE_URL) } : {}),
    ...(cfg.WEBHOOK_QUEUE_URL ? { webhookQueue: new SqsWebhookQueue(sqs, cfg.WEBHOOK_QUEUE_URL, cfg.WEBHOOK_DEAD_LETTER_QUEUE_URL) } : {}),
    webhooks: new DynamoWebhookStore(table),
  };
}

/** The core services with the queues (built once per core services object). */
export const withQueues = extension(queuesOf);

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliverWebhook } from '../../../lib/core/webhooks/deliver';
import { services, type CoreServices } from '../../../lib/app/services';
import { withQueues } from '../../../lib/app/queues';
import { withWebhooks } from '../../../lib/app/webhooks';
import { entries, moves, withStores } from '../../../lib/app/stores';
import { parseWebhookMessage } from '../../../lib/store/webhook-queue';

/**
 * WebhookQueue → here: one attempt of each queued webhook delivery (lib/core/webhooks/deliver.ts). A failed call
 * is not a failed message: the next attempt goes back on the queue with its delay, and the message is done. A
 * message fails (batchItemFailures, back after the visibility timeout, to the DLQ after MaxReceiveCount) only
 * when the table or the queue failed, so nothing is lost (at-least-once; receivers drop duplicates by webhook-id).
 */
const processor = new BatchProcessor(EventType.SQS);
/** The stores a delivery reads (lib/core/webhooks/deliver.ts `DeliveryDeps`). */
const withItsStores = withStores(entries, moves);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const deps = withWebhooks(withQueues(withItsStores(services())));
  deps.metrics.captureColdStart(context.functionName);
  try {
    return await processPartialResponse(event, (record: SQSRecord) => handleMessage(deps, record), processor, {
      context,
      // Attempts to different receivers are independent: one slow receiver (up to 10 s) holds up no other.
      processInParallel: true,
      throwOnFullBatchFailure: false,
    });
  } finally {
    deps.metrics.publish();
  }
}

type Deps = ReturnType<typeof withWebhooks<ReturnType<typeof withQueues<ReturnType<typeof withItsStores<CoreServices>>>>>>;

async function handleMessage(deps: Deps, record: SQSRecord): Promise<void> {
  const delivery = parseWebhookMessage(record.body);
  if (!delivery) {
    // Only this service sends here: a body that is no delivery will never become one.
    deps.logger.error('unreadable webhook message ignored', { body: record.body.slice(0, 1000) });
    return;
  }
  if (!deps.webhookQueue) throw new Error('WEBHOOK_QUEUE_URL is not set: webhookDeliver cannot queue retries');
  await deliverWebhook({ ...deps, webhookQueue: deps.webhookQueue }, delivery);
}

import { Webhook } from 'standardwebhooks';
import type { EntryRecord } from '../model/entries';
import type { EntryStore, MoveStore } from '../ports';
import type { Logger } from '../../log';
import type { WebhookDelivery, WebhookQueue } from '../ports/webhook-queue';
import type { WebhookRecord, WebhookStore } from '../ports/webhook-store';
import type { WebhookResponse, WebhookTransport } from '../ports/webhook-transport';
import type { AddressPolicy } from './address-policy';
import { filesReadyPayload } from './files-ready';
import { delayAfterAttempt, type RetrySchedule } from './retry-schedule';
import { targetRefusal } from './target';

/** SQS's longest DelaySeconds: a retry further away travels in hops of this (its `notBefore` says when it is due). */
const MAX_QUEUE_DELAY_SECONDS = 900;

export interface DeliveryDeps {
  readonly webhooks: WebhookStore;
  readonly webhookQueue: WebhookQueue;
  readonly webhookTransport: WebhookTransport;
  readonly webhookAddressPolicy: AddressPolicy;
  readonly webhookRetrySchedule: RetrySchedule;
  readonly entries: Pick<EntryStore, 'get'>;
  readonly moves: Pick<MoveStore, 'sessionFiles'>;
  readonly logger: Logger;
}

export type DeliveryOutcome = 'delivered' | 'retry-queued' | 'dead-lettered' | 'deferred' | 'no-webhook';

/**
 * One attempt of one queued delivery (the webhookDeliver function, one message at a time):
 * 1. a message early for its `notBefore` (a retry hours away) goes back on the queue for the rest of the wait;
 * 2. the bucket's webhook is read (removed: the event is dropped, nobody asked for it any more);
 * 3. the payload is built from the files as they are now (files-ready.ts), signed the Standard Webhooks way with the
 *    webhook's secret (`standardwebhooks`: `webhook-id` = the event id, the same in every attempt,
 *    `webhook-timestamp` = this attempt's time, `webhook-signature` = `v1,<HMAC-SHA256>`) and, with the webhook's
 *    Basic or Bearer credentials, POSTed, unless the target's addresses are refused now (address-policy.ts; the
 *    transport checks again at the connection);
 * 4. the attempt goes into the webhook's delivery log (event id, time, status code or error);
 * 5. a 2xx answer ends it; anything else queues the next attempt after the schedule's delay (retry-schedule.ts),
 *    or, after the last one, moves the delivery to the dead-letter queue (its alarm fires).
 * @throws when the queue or the table fails: the message then comes back (at-least-once; the event id stays).
 */
export async function deliverWebhook(deps: DeliveryDeps, delivery: WebhookDelivery, now = new Date()): Promise<DeliveryOutcome> {
  const log = deps.logger.child({ eventId: delivery.eventId, bucketUuid: delivery.bucketUuid, attempt: delivery.attempt });
  const waitMs = delivery.notBefore ? Date.parse(delivery.notBefore) - now.getTime() : 0;
  if (waitMs > 1000) {
    await deps.webhookQueue.send(delivery, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(waitMs / 1000)));
    return 'deferred';
  }
  const webhook = await deps.webhooks.get(delivery.bucketUuid);
  if (!webhook) {
    log.info('webhook removed: event dropped');
    return 'no-webhook';
  }
  const files = await filesOf(deps, delivery);
  const body = JSON.stringify(filesReadyPayload(delivery, files));
  const started = Date.now();
  const refusal = await targetRefusal(deps.webhookTransport, webhook.url, deps.webhookAddressPolicy).catch((error: Error) => `resolver failed: ${error.message}`);
  const response: WebhookResponse = refusal
    ? { ok: false, error: refusal === 'unresolved' ? 'refused: the host did not resolve' : refusal.startsWith('resolver') ? refusal : `refused: the host resolves to a ${refusal} address` }
    : await deps.webhookTransport.post({ url: webhook.url, headers: signedHeaders(webhook, delivery.eventId, now, body), body });
  await deps.webhooks.logAttempt(delivery.bucketUuid, {
    eventId: delivery.eventId,
    attempt: delivery.attempt,
    at: now.toISOString(),
    ...(response.statusCode !== undefined ? { statusCode: response.statusCode } : { error: 'error' in response ? response.error : 'failed' }),
    durationMs: Date.now() - started,
  });
  if (response.ok) {
    log.info('webhook delivered', { statusCode: response.statusCode, files: files.length });
    return 'delivered';
  }
  const delaySeconds = delayAfterAttempt(delivery.attempt, deps.webhookRetrySchedule);
  if (delaySeconds === undefined) {
    await deps.webhookQueue.deadLetter(delivery, response.statusCode !== undefined ? `last answer ${response.statusCode}` : 'error' in response ? response.error : 'failed');
    log.warn('webhook delivery out of retries: dead-lettered', { statusCode: response.statusCode });
    return 'dead-lettered';
  }
  const next: WebhookDelivery = {
    ...delivery,
    attempt: delivery.attempt + 1,
    ...(delaySeconds > MAX_QUEUE_DELAY_SECONDS ? { notBefore: new Date(now.getTime() + delaySeconds * 1000).toISOString() } : { notBefore: undefined }),
  };
  await deps.webhookQueue.send(next, Math.min(delaySeconds, MAX_QUEUE_DELAY_SECONDS));
  log.info('webhook attempt failed: retry queued', { statusCode: response.statusCode, delaySeconds });
  return 'retry-queued';
}

/** The Standard Webhooks headers of one attempt, with the webhook's own credentials. */
export function signedHeaders(webhook: WebhookRecord, eventId: string, at: Date, body: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'storage-service-webhooks/1',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(webhook.secret).sign(eventId, at, body),
  };
  if (webhook.authType === 'basic') headers.authorization = `Basic ${Buffer.from(`${webhook.param1 ?? ''}:${webhook.param2 ?? ''}`, 'utf8').toString('base64')}`;
  if (webhook.authType === 'bearer') headers.authorization = `Bearer ${webhook.param1 ?? ''}`;
  return headers;
}

async function filesOf(deps: DeliveryDeps, delivery: WebhookDelivery): Promise<EntryRecord[]> {
  if (delivery.sessionUuid) {
    // The session index is eventually consistent: a file it shows short of status 4 is read again from its item.
    const listed = await deps.moves.sessionFiles(delivery.bucketUuid, delivery.sessionUuid);
    return Promise.all(listed.map(async (file) => (file.fileStatus === 4 || file.fileStatus >= 100 ? file : ((await deps.entries.get(file.uuid)) ?? file))));
  }
  const file = delivery.fileUuid ? await deps.entries.get(delivery.fileUuid) : undefined;
  return file && file.bucketUuid === delivery.bucketUuid ? [file] : [];
}

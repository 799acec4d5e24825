/**
 * The webhook delivery queue (lib/store/webhook-queue.ts on SQS): at-least-once, each message one
 * delivery attempt of one event, sent with a delay for its retries.
 */

/** One queued delivery: which event, which attempt, and when the attempt may run. */
export interface WebhookDelivery {
  /** The Standard Webhooks `webhook-id`: the same for every attempt, so receivers can drop duplicates. */
  readonly eventId: string;
  readonly type: 'files.ready';
  readonly bucketUuid: string;
  /** The upload session whose files are ready; absent for a single upload (then `fileUuid`). */
  readonly sessionUuid?: string;
  readonly fileUuid?: string;
  /** ISO 8601: when the files were found ready (the payload's `timestamp`). */
  readonly readyAt: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** ISO 8601: not before this time (retries more than SQS's 15-minute delay away travel in several hops). */
  readonly notBefore?: string;
}

export interface WebhookQueue {
  /**
   * Queues `delivery`, visible after `delaySeconds` (0–900, SQS DelaySeconds).
   * @throws Error when the queue did not take it (the caller's retry sends it again).
   */
  send(delivery: WebhookDelivery, delaySeconds: number): Promise<void>;
  /** Moves a delivery whose retries are used up to the dead-letter queue (it raises the alarm). */
  deadLetter(delivery: WebhookDelivery, reason: string): Promise<void>;
}

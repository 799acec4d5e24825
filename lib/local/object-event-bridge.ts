/**
 * The local S3 → queue → function path, the same shape as on AWS:
 *
 *   s3rver 'event' ──(bucket notification filter)──▶ LocalQueue ──poller──▶ objectCreated
 *                                                        │ (maxReceiveCount)
 *                                                        ▼
 *                                                   dead-letter LocalQueue
 *
 * An upload's PUT returns as soon as s3rver stored the bytes: the notification
 * is only queued. Pollers receive batches (BatchSize, MaximumBatchingWindow),
 * invoke the function with an SQS event through serverless-offline's Lambda
 * invoke API, and delete only the messages the function did not list in
 * `batchItemFailures` (ReportBatchItemFailures); the rest come back after the
 * visibility timeout and land in the DLQ after MaxReceiveCount receives.
 * The settings come from infra/object-events.json, which serverless.yml reads too.
 *
 * Bounded: at most `concurrency` batches (default 4, each of up to BatchSize messages) are in
 * flight at once, and the queue holds what its own bounds allow (lib/local/object-event-queue.ts).
 * A notification that finds the queue full is dropped, counted (`dropped`) and logged: as when
 * an event is lost on AWS, the sweeper finishes that file (status 1 → 4) once it has made no
 * progress for 10 minutes (lib/core/lifecycle/sweeper.ts).
 */
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { decodeS3Key } from '../app/events';
import type { Logger } from '../log';
import { QueueFullError, type LocalQueue, type ReceivedMessage } from './object-event-queue';

/** The fields of infra/object-events.json the bridge reads. */
export interface ObjectEventSettings {
  readonly Prefix: string;
  readonly Events: readonly string[];
  readonly MaxReceiveCount: number;
  readonly BatchSize: number;
  /** Seconds. */
  readonly MaximumBatchingWindow: number;
}

/** What emits S3 event notifications (s3rver's `event`). */
export interface S3EventSource {
  on(event: 'event', listener: (notification: S3Event) => void): unknown;
  off(event: 'event', listener: (notification: S3Event) => void): unknown;
}

/** Runs the consumer function on one SQS event; throws when the function itself failed (an unhandled error). */
export type InvokeConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | null | undefined>;

export interface ObjectEventBridgeOptions {
  readonly source: S3EventSource;
  /** Only this bucket's notifications are queued (the files bucket). */
  readonly bucketName: string;
  readonly settings: ObjectEventSettings;
  readonly queue: LocalQueue;
  readonly invoke: InvokeConsumer;
  readonly logger: Logger;
  /** Batches in flight at once (Lambda runs several pollers too). */
  readonly concurrency?: number;
  readonly region?: string;
}

/** True when S3 would send `record` to the queue under the bucket's notification configuration. */
export function matchesNotification(record: S3Event['Records'][number], bucketName: string, settings: ObjectEventSettings): boolean {
  if (record.s3?.bucket?.name !== bucketName) return false;
  const eventMatches = settings.Events.some((pattern) => {
    const wanted = pattern.replace(/^s3:/, '');
    return wanted.endsWith(':*') ? record.eventName.startsWith(wanted.slice(0, -1)) : record.eventName === wanted;
  });
  return eventMatches && decodeS3Key(record.s3.object.key).startsWith(settings.Prefix);
}

export class ObjectEventBridge {
  /** Notifications dropped because the queue was full. */
  dropped = 0;
  private lastDropLogAt = 0;
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly listener = (notification: S3Event) => this.enqueue(notification);

  constructor(private readonly options: ObjectEventBridgeOptions) {
    options.source.on('event', this.listener);
  }

  /** Starts the pollers (notifications are queued from construction on). */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < (this.options.concurrency ?? 4); i++) this.loops.push(this.pollLoop());
  }

  /** Stops receiving; waits for the batches in flight. Queued messages are dropped with the process. */
  async stop(): Promise<void> {
    this.options.source.off('event', this.listener);
    this.running = false;
    await Promise.all(this.loops);
  }

  /** One notification per matching record, as S3 sends them (one record per message); dropped when the queue is full. */
  private enqueue(notification: S3Event): void {
    for (const record of notification.Records ?? []) {
      if (!matchesNotification(record, this.options.bucketName, this.options.settings)) continue;
      try {
        this.options.queue.send(JSON.stringify({ Records: [record] }));
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        this.dropped += 1;
        // One line every 5 s at most: a flood past the bound would otherwise print a line per file.
        if (Date.now() - this.lastDropLogAt >= 5000) {
          this.lastDropLogAt = Date.now();
          this.options.logger.warn('object event dropped: the local queue is full; the sweeper finishes the file', {
            queue: this.options.queue.name,
            held: this.options.queue.size,
            droppedSoFar: this.dropped,
            key: record.s3?.object?.key,
          });
        }
      }
    }
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      const handled = await this.pollOnce().catch((error: unknown) => {
        this.options.logger.error('object event poller failed', { error });
        return 0;
      });
      if (handled === 0) await this.options.queue.waitForMessage(Math.min(this.options.queue.nextVisibleInMs() ?? 1000, 1000));
    }
  }

  /**
   * Receives one batch (waiting up to MaximumBatchingWindow for it to fill),
   * invokes the function and deletes the messages it did not report as failed.
   * Returns how many messages the batch held (0: nothing was visible).
   */
  async pollOnce(): Promise<number> {
    const { queue, settings, logger } = this.options;
    let batch = queue.receive(settings.BatchSize);
    if (batch.length === 0) return 0;
    if (batch.length < settings.BatchSize && settings.MaximumBatchingWindow > 0) {
      await new Promise((resolve) => setTimeout(resolve, settings.MaximumBatchingWindow * 1000));
      batch = [...batch, ...queue.receive(settings.BatchSize - batch.length)];
    }
    let failed: ReadonlySet<string>;
    try {
      failed = failedMessageIds(batch, await this.options.invoke(this.sqsEvent(batch)));
    } catch (error) {
      // The function failed as a whole: Lambda deletes nothing, every message comes back.
      logger.error('object event batch failed', { error, messages: batch.length });
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) queue.delete(message.receiptHandle);
    }
    if (failed.size > 0) logger.warn('object events left for redelivery', { failed: [...failed], queue: queue.name });
    return batch.length;
  }

  private sqsEvent(batch: readonly ReceivedMessage[]): SQSEvent {
    const region = this.options.region ?? 'us-east-1';
    return {
      Records: batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: 'AIDAS3LOCAL',
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${region}:000000000000:${this.options.queue.name}`,
        awsRegion: region,
      })),
    };
  }
}

/**
 * The messages a partial batch response leaves in the queue, by Lambda's rules
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 * no response or an empty list, all succeeded; an item identifier that is
 * missing, empty or not in the batch fails the whole batch.
 */
export function failedMessageIds(batch: readonly Pick<ReceivedMessage, 'messageId'>[], response: SQSBatchResponse | null | undefined): Set<string> {
  const all = new Set(batch.map((message) => message.messageId));
  if (response === null || response === undefined) return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

/**
 * Invokes `functionName` synchronously through serverless-offline's Lambda API
 * (`POST /2015-03-31/functions/<name>/invocations` on LAMBDA_PORT).
 */
export function lambdaApiInvoker(lambdaEndpoint: string, functionName: string): InvokeConsumer {
  return async (event) => {
    const response = await fetch(`${lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      body: JSON.stringify(event),
    });
    const text = await response.text();
    const payload = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok || response.headers.get('x-amz-function-error')) {
      const message = (payload as { errorMessage?: string; Message?: string } | undefined)?.errorMessage ?? (payload as { Message?: string } | undefined)?.Message;
      throw new Error(`${functionName} failed (HTTP ${response.status}): ${message ?? text}`);
    }
    return payload as SQSBatchResponse | undefined;
  };
}

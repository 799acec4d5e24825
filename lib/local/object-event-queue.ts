/**
 * The local stand-in for ObjectEventsQueue and its DLQ: an in-process queue
 * with the SQS standard-queue rules the event path relies on.
 *
 * - A received message is invisible for the visibility timeout, then comes
 *   back unless it was deleted with the receipt handle of that receive.
 * - Each receive counts (ApproximateReceiveCount); a message received
 *   `maxReceiveCount` times and still not deleted moves to the dead-letter
 *   queue instead of being delivered again (SQS redrive policy).
 * - Deleting with a stale receipt handle (from an earlier receive) does nothing.
 * - A message sent with a delay (SQS DelaySeconds, 0–900 s) is invisible until it passes.
 *
 * Not kept: messages live in memory only (a restart of `npm start` loses the
 * queued events; the sweeper finishes those files), and there is no
 * retention period, FIFO or message attributes.
 */
import { randomUUID } from 'node:crypto';

/** SQS's largest DelaySeconds (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** ms since the epoch. */
  readonly sentAt: number;
  receiveCount: number;
  /** ms since the epoch; 0 while visible. */
  invisibleUntil: number;
  receiptHandle?: string;
  firstReceivedAt?: number;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly firstReceivedAt: number;
}

export interface LocalQueueOptions {
  readonly name: string;
  /** How long a received message stays invisible, in ms. */
  readonly visibilityTimeoutMs: number;
  /** Redrive policy: where a message goes after `maxReceiveCount` receives. */
  readonly redrive?: {
    readonly deadLetterQueue: LocalQueue;
    readonly maxReceiveCount: number;
    /** Told of each message moved to the dead-letter queue (the local stack prints it). */
    readonly onMoved?: (body: string) => void;
  };
  /** The clock (ms since the epoch); tests pass their own. */
  readonly now?: () => number;
}

export class LocalQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: LocalQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  get name(): string {
    return this.options.name;
  }

  /** Queues `body`, visible after `delaySeconds` (SQS DelaySeconds; 0 = at once); returns its message id. */
  send(body: string, delaySeconds = 0): string {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new RangeError(`DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}: ${delaySeconds}`);
    }
    const messageId = randomUUID();
    const now = this.now();
    this.messages.set(messageId, { messageId, body, sentAt: now, receiveCount: 0, invisibleUntil: delaySeconds > 0 ? now + delaySeconds * 1000 : 0 });
    for (const wake of this.waiters) wake();
    return messageId;
  }

  /**
   * Up to `max` visible messages, oldest first, each now invisible for the
   * visibility timeout. Messages past the redrive policy's maxReceiveCount
   * move to the dead-letter queue on the way.
   */
  receive(max: number): ReceivedMessage[] {
    const now = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.invisibleUntil > now) continue;
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messages.delete(message.messageId);
        redrive.deadLetterQueue.send(message.body);
        redrive.onMoved?.(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.invisibleUntil = now + this.options.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      message.firstReceivedAt ??= now;
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        receiveCount: message.receiveCount,
        sentAt: message.sentAt,
        firstReceivedAt: message.firstReceivedAt,
      });
    }
    return received;
  }

  /** Deletes the message received with `receiptHandle`; false when that receive is stale or unknown. */
  delete(receiptHandle: string): boolean {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) return this.messages.delete(message.messageId);
    }
    return false;
  }

  /** Messages in the queue, visible or in flight (ApproximateNumberOfMessages + …NotVisible). */
  get size(): number {
    return this.messages.size;
  }

  /** ms until the next message becomes visible (0: one is visible now; undefined: the queue is empty). */
  nextVisibleInMs(): number | undefined {
    if (this.messages.size === 0) return undefined;
    const now = this.now();
    return Math.max(0, Math.min(...[...this.messages.values()].map((message) => message.invisibleUntil - now)));
  }

  /** Resolves when a message is sent, or after `timeoutMs`. */
  waitForMessage(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** The bodies of the messages held (for tests and the shutdown notice). */
  bodies(): string[] {
    return [...this.messages.values()].map((message) => message.body);
  }
}

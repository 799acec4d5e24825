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
 * Bounded, unlike SQS: it holds at most `maxMessages` messages and `maxBytes` of
 * bodies (visible, delayed and in flight together; defaults 10,000 and 16 MiB, far above
 * a 5,000-file upload's backlog). `send()` past either bound throws QueueFullError and
 * keeps nothing: the bridge drops that S3 notification (the sweeper finishes the file,
 * README), the local SQS endpoint answers the sender with an error.
 *
 * Costs: send, delete and the next-visible time are O(1) or O(log n); receive is
 * O(log n) per message made visible again plus O(k) for the k messages it returns.
 *
 * Not kept: messages live in memory only (a restart of `npm start` loses the
 * queued events; the sweeper finishes those files), and there is no
 * retention period, FIFO or message attributes.
 */
import { randomUUID } from 'node:crypto';

/** SQS's largest DelaySeconds (15 minutes). */
export const MAX_DELAY_SECONDS = 900;
/** Default bounds of a local queue: messages, and bytes of their bodies. */
export const DEFAULT_MAX_MESSAGES = 10_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** UTF-8 bytes of the body. */
  readonly bytes: number;
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
  /** Messages held at most (default DEFAULT_MAX_MESSAGES). */
  readonly maxMessages?: number;
  /** Bytes of bodies held at most (default DEFAULT_MAX_BYTES). */
  readonly maxBytes?: number;
  /** The clock (ms since the epoch); tests pass their own. */
  readonly now?: () => number;
}

/** `send()` past the queue's bound: nothing was queued. */
export class QueueFullError extends Error {
  constructor(queue: string, held: number, bytes: number) {
    super(`The local queue ${queue} is full (${held} messages, ${bytes} bytes held); the message was not queued`);
    this.name = 'OverLimit';
  }
}

/** A min-heap of (time, message id, the time it was pushed for); stale entries are skipped when popped. */
class DueHeap {
  private readonly items: { at: number; id: string }[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): { at: number; id: string } | undefined {
    return this.items[0];
  }

  push(item: { at: number; id: string }): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= item.at) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): { at: number; id: string } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]!.at < items[left]!.at ? right : left;
        if (items[child]!.at >= last.at) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

export class LocalQueue {
  /** Every message held, by id. */
  private readonly messages = new Map<string, QueuedMessage>();
  /** Visible messages in the order they became visible (Map keeps insertion order). */
  private readonly visible = new Map<string, QueuedMessage>();
  /** Invisible messages (delayed or in flight) by the time they become visible. */
  private readonly due = new DueHeap();
  private readonly byReceipt = new Map<string, string>();
  private heldBytes = 0;
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  constructor(private readonly options: LocalQueueOptions) {
    this.now = options.now ?? Date.now;
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * Queues `body`, visible after `delaySeconds` (SQS DelaySeconds; 0 = at once); returns its message id.
   * Throws RangeError for a bad delay, QueueFullError past the queue's bounds (nothing queued).
   */
  send(body: string, delaySeconds = 0): string {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new RangeError(`DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}: ${delaySeconds}`);
    }
    const bytes = Buffer.byteLength(body);
    if (this.messages.size >= this.maxMessages || this.heldBytes + bytes > this.maxBytes) throw new QueueFullError(this.name, this.messages.size, this.heldBytes);
    const messageId = randomUUID();
    const now = this.now();
    const message: QueuedMessage = { messageId, body, bytes, sentAt: now, receiveCount: 0, invisibleUntil: delaySeconds > 0 ? now + delaySeconds * 1000 : 0 };
    this.messages.set(messageId, message);
    this.heldBytes += bytes;
    if (message.invisibleUntil > 0) this.due.push({ at: message.invisibleUntil, id: messageId });
    else this.visible.set(messageId, message);
    for (const wake of this.waiters) wake();
    return messageId;
  }

  /**
   * Up to `max` visible messages, oldest visible first, each now invisible for the
   * visibility timeout. Messages past the redrive policy's maxReceiveCount
   * move to the dead-letter queue on the way.
   */
  receive(max: number): ReceivedMessage[] {
    const now = this.now();
    this.releaseDue(now);
    const received: ReceivedMessage[] = [];
    for (const message of this.visible.values()) {
      if (received.length >= max) break;
      this.visible.delete(message.messageId);
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.forget(message);
        try {
          redrive.deadLetterQueue.send(message.body);
          redrive.onMoved?.(message.body);
        } catch (error) {
          // A full dead-letter queue: the message is dropped (its file is finished by the sweeper).
          if (!(error instanceof QueueFullError)) throw error;
        }
        continue;
      }
      if (message.receiptHandle) this.byReceipt.delete(message.receiptHandle);
      message.receiveCount += 1;
      message.invisibleUntil = now + this.options.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      message.firstReceivedAt ??= now;
      this.byReceipt.set(message.receiptHandle, message.messageId);
      this.due.push({ at: message.invisibleUntil, id: message.messageId });
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
    const messageId = this.byReceipt.get(receiptHandle);
    const message = messageId === undefined ? undefined : this.messages.get(messageId);
    if (!message || message.receiptHandle !== receiptHandle) return false;
    this.forget(message);
    return true;
  }

  /** Messages in the queue, visible or in flight (ApproximateNumberOfMessages + …NotVisible). */
  get size(): number {
    return this.messages.size;
  }

  /** Bytes of the bodies held. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** ms until the next message becomes visible (0: one is visible now; undefined: the queue is empty). */
  nextVisibleInMs(): number | undefined {
    if (this.messages.size === 0) return undefined;
    const now = this.now();
    this.releaseDue(now);
    if (this.visible.size > 0) return 0;
    // Stale entries (deleted messages) on top are dropped; each is dropped once.
    for (let next = this.due.peek(); next !== undefined; next = this.due.peek()) {
      if (this.messages.get(next.id)?.invisibleUntil === next.at) return Math.max(0, next.at - now);
      this.due.pop();
    }
    return undefined;
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

  /** Moves every message whose invisibility ended by `now` to the visible ones (skipping stale heap entries). */
  private releaseDue(now: number): void {
    for (let next = this.due.peek(); next !== undefined && next.at <= now; next = this.due.peek()) {
      this.due.pop();
      const message = this.messages.get(next.id);
      // Stale: deleted, or received again since (a later entry is in the heap for it).
      if (!message || message.invisibleUntil !== next.at) continue;
      message.invisibleUntil = 0;
      this.visible.set(message.messageId, message);
    }
  }

  private forget(message: QueuedMessage): void {
    this.messages.delete(message.messageId);
    this.visible.delete(message.messageId);
    if (message.receiptHandle) this.byReceipt.delete(message.receiptHandle);
    this.heldBytes -= message.bytes;
  }
}

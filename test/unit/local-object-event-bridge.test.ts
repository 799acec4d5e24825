/**
 * The local event path's queue and poller (lib/local): the SQS rules it must
 * keep (visibility timeout, receive count, redrive to the DLQ, partial batch
 * responses), driven by a clock the test sets. The consumer here is a stub
 * function: this is the delivery plumbing, not storage.
 */
import { EventEmitter } from 'node:events';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log';
import { ObjectEventBridge, failedMessageIds, type ObjectEventSettings } from '../../lib/local/object-event-bridge';
import { LocalQueue, QueueFullError } from '../../lib/local/object-event-queue';
import { s3ObjectCreatedNotification } from '../support/events';

const settings: ObjectEventSettings = { Prefix: 'uploads/', Events: ['s3:ObjectCreated:*'], MaxReceiveCount: 3, BatchSize: 10, MaximumBatchingWindow: 0 };
const VISIBILITY_MS = 30_000;

function setup(consumer: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>, bounds: { maxMessages?: number; concurrency?: number } = {}) {
  let clock = 1_000_000;
  const now = () => clock;
  const dlq = new LocalQueue({ name: 'dlq', visibilityTimeoutMs: VISIBILITY_MS, now });
  const queue = new LocalQueue({ name: 'events', visibilityTimeoutMs: VISIBILITY_MS, redrive: { deadLetterQueue: dlq, maxReceiveCount: settings.MaxReceiveCount }, maxMessages: bounds.maxMessages, now });
  const source = new EventEmitter();
  const invocations: SQSEvent[] = [];
  const bridge = new ObjectEventBridge({
    source: source as never,
    bucketName: 'files',
    settings,
    queue,
    logger: createLogger('silent'),
    concurrency: bounds.concurrency,
    invoke: async (event) => {
      invocations.push(event);
      return consumer(event);
    },
  });
  const put = (key: string, bucket = 'files', eventName = 'ObjectCreated:Put') => source.emit('event', s3ObjectCreatedNotification(bucket, [key], eventName));
  const advance = (ms: number) => (clock += ms);
  return { bridge, queue, dlq, put, advance, invocations };
}

const keyOf = (record: SQSEvent['Records'][number]) => (JSON.parse(record.body) as S3Event).Records[0]!.s3.object.key;
/** Fails the records whose key contains "poison". */
const failPoison = async (event: SQSEvent): Promise<SQSBatchResponse> => ({
  batchItemFailures: event.Records.filter((record) => keyOf(record).includes('poison')).map((record) => ({ itemIdentifier: record.messageId })),
});

describe('the local object-event bridge', () => {
  it('queues only what the bucket notification sends: ObjectCreated under uploads/ of the files bucket', () => {
    // prepare
    const { queue, put } = setup(failPoison);

    // act
    put('uploads/a/b');
    put('files/a/b/c');
    put('uploads/x', 'replica');
    put('uploads/y', 'files', 'ObjectRemoved:Delete');

    // assess
    expect(queue.size).toBe(1);
  });

  it('deletes the messages that succeeded and keeps the failed one invisible until the visibility timeout ends', async () => {
    // prepare
    const { bridge, queue, put, advance, invocations } = setup(failPoison);
    put('uploads/good-1');
    put('uploads/poison');
    put('uploads/good-2');

    // act
    const first = await bridge.pollOnce();
    const beforeTimeout = await bridge.pollOnce();
    advance(VISIBILITY_MS);
    const redelivered = await bridge.pollOnce();

    // assess
    expect(first).toBe(3);
    expect(beforeTimeout).toBe(0);
    expect(redelivered).toBe(1);
    expect(invocations[1]!.Records.map(keyOf)).toEqual(['uploads/poison']);
    expect(invocations[1]!.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
    expect(invocations[1]!.Records[0]!.messageId).toBe(invocations[0]!.Records[1]!.messageId);
    expect(queue.size).toBe(1);
  });

  it('moves a message that failed MaxReceiveCount times to the dead-letter queue', async () => {
    // prepare
    const { bridge, queue, dlq, put, advance, invocations } = setup(failPoison);
    put('uploads/poison');

    // act
    for (let receive = 0; receive < settings.MaxReceiveCount + 1; receive++) {
      await bridge.pollOnce();
      advance(VISIBILITY_MS);
    }

    // assess
    expect(invocations).toHaveLength(settings.MaxReceiveCount);
    expect(queue.size).toBe(0);
    expect(dlq.size).toBe(1);
    expect(JSON.parse(dlq.bodies()[0]!).Records[0].s3.object.key).toBe('uploads/poison');
  });

  it('keeps the whole batch when the function itself fails (throws)', async () => {
    // prepare
    const { bridge, queue, put, advance } = setup(async () => {
      throw new Error('function crashed');
    });
    put('uploads/a');
    put('uploads/b');

    // act
    await bridge.pollOnce();
    advance(VISIBILITY_MS);
    const again = await bridge.pollOnce();

    // assess
    expect(again).toBe(2);
    expect(queue.size).toBe(2);
  });
});

describe('failedMessageIds (Lambda partial batch response rules)', () => {
  const batch = [{ messageId: 'a' }, { messageId: 'b' }];

  it.each([
    ['no response', undefined, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['one failure', { batchItemFailures: [{ itemIdentifier: 'b' }] }, ['b']],
    ['an unknown identifier (whole batch)', { batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ['a', 'b']],
    ['an empty identifier (whole batch)', { batchItemFailures: [{ itemIdentifier: '' }] }, ['a', 'b']],
    ['a non-list (whole batch)', { batchItemFailures: 'b' }, ['a', 'b']],
  ])('%s', (_what, response, expected) => {
    expect([...failedMessageIds(batch, response as SQSBatchResponse)].sort()).toEqual(expected);
  });
});

describe('the bounds of the local event path', () => {
  it('drops and counts a notification that finds the queue full, and still delivers what it holds', async () => {
    // prepare
    const { bridge, queue, put, invocations } = setup(failPoison, { maxMessages: 2 });

    // act
    put('uploads/one');
    put('uploads/two');
    put('uploads/three');
    await bridge.pollOnce();

    // assess
    expect(bridge.dropped).toBe(1);
    expect(invocations.flatMap((event) => event.Records.map(keyOf))).toEqual(['uploads/one', 'uploads/two']);
    expect(queue.size).toBe(0);
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    // prepare
    let inFlight = 0;
    let most = 0;
    const { bridge, put, invocations } = setup(
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return { batchItemFailures: [] };
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 60; i++) put(`uploads/file-${i}`);

    // act
    bridge.start();
    while (invocations.length < 6) await new Promise((resolve) => setTimeout(resolve, 10));
    await bridge.stop();

    // assess
    expect(most).toBe(2);
  });
});

describe('LocalQueue', () => {
  const queueOf = (options: { maxMessages?: number; maxBytes?: number } = {}) => {
    let clock = 1_000_000;
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: VISIBILITY_MS, now: () => clock, ...options });
    return { queue, advance: (ms: number) => (clock += ms) };
  };

  it('refuses a message past its bound by count or by bytes, keeping nothing of it, and takes messages again once some are deleted', () => {
    // prepare
    const byCount = queueOf({ maxMessages: 2 }).queue;
    const byBytes = queueOf({ maxBytes: 10 }).queue;
    byCount.send('a');
    byCount.send('b');
    byBytes.send('12345678');

    // act
    const overCount = () => byCount.send('c');
    const overBytes = () => byBytes.send('ééé'); // 6 UTF-8 bytes

    // assess
    expect(overCount).toThrow(QueueFullError);
    expect(overBytes).toThrow(QueueFullError);
    expect([byCount.size, byBytes.size, byBytes.bytes]).toEqual([2, 1, 8]);
    const [first] = byCount.receive(1);
    byCount.delete(first!.receiptHandle);
    expect(() => byCount.send('c')).not.toThrow();
  });

  it('says when the next message becomes visible: now, after a delay, or after the visibility timeout of a message in flight', () => {
    // prepare
    const { queue, advance } = queueOf();
    queue.send('delayed', 5);
    queue.send('now');

    // act
    const withVisible = queue.nextVisibleInMs();
    const [now] = queue.receive(10);
    const whileDelayed = queue.nextVisibleInMs();
    advance(5000);
    const [delayed] = queue.receive(10);
    queue.delete(delayed!.receiptHandle);
    const inFlightOnly = queue.nextVisibleInMs();
    queue.delete(now!.receiptHandle);

    // assess
    expect(withVisible).toBe(0);
    expect(whileDelayed).toBe(5000);
    expect(inFlightOnly).toBe(VISIBILITY_MS - 5000);
    expect(queue.nextVisibleInMs()).toBeUndefined();
  });

  it('delivers thousands of messages each once, in the order they became visible, and forgets the deleted ones', () => {
    // prepare
    const { queue, advance } = queueOf();
    for (let i = 0; i < 5000; i++) queue.send(`m${i}`);
    const [failed] = queue.receive(1); // m0, left to come back after the visibility timeout

    // act
    const bodies: string[] = [];
    for (let batch = queue.receive(10); batch.length > 0; batch = queue.receive(10)) {
      for (const message of batch) {
        bodies.push(message.body);
        expect(queue.delete(message.receiptHandle)).toBe(true);
      }
    }
    advance(VISIBILITY_MS);
    const again = queue.receive(10);

    // assess
    expect(bodies).toHaveLength(4999);
    expect(bodies[0]).toBe('m1');
    expect(bodies.at(-1)).toBe('m4999');
    expect(again.map((message) => [message.body, message.receiveCount])).toEqual([[failed!.body, 2]]);
    expect(queue.delete(failed!.receiptHandle)).toBe(false); // a stale receipt handle
    expect(queue.size).toBe(1);
  });
});

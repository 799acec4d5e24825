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
import { LocalQueue } from '../../lib/local/object-event-queue';
import { s3ObjectCreatedNotification } from '../support/events';

const settings: ObjectEventSettings = { Prefix: 'uploads/', Events: ['s3:ObjectCreated:*'], MaxReceiveCount: 3, BatchSize: 10, MaximumBatchingWindow: 0 };
const VISIBILITY_MS = 30_000;

function setup(consumer: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>) {
  let clock = 1_000_000;
  const now = () => clock;
  const dlq = new LocalQueue({ name: 'dlq', visibilityTimeoutMs: VISIBILITY_MS, now });
  const queue = new LocalQueue({ name: 'events', visibilityTimeoutMs: VISIBILITY_MS, redrive: { deadLetterQueue: dlq, maxReceiveCount: settings.MaxReceiveCount }, now });
  const source = new EventEmitter();
  const invocations: SQSEvent[] = [];
  const bridge = new ObjectEventBridge({
    source: source as never,
    bucketName: 'files',
    settings,
    queue,
    logger: createLogger('silent'),
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

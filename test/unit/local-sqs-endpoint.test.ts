/**
 * The local SQS endpoint (lib/local/sqs-endpoint.ts) as @aws-sdk/client-sqs
 * calls it: AWS JSON 1.0 requests (`X-Amz-Target: AmazonSQS.<Action>`).
 * Checked once by hand against @aws-sdk/client-sqs 3.1175 too (MD5 validation included).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../lib/local/object-event-queue';
import { startLocalSqsEndpoint, type LocalSqsEndpoint } from '../../lib/local/sqs-endpoint';

let queue: LocalQueue;
let sqs: LocalSqsEndpoint;

beforeAll(async () => {
  queue = new LocalQueue({ name: 'events', visibilityTimeoutMs: 1000 });
  sqs = await startLocalSqsEndpoint([queue]);
});
afterAll(() => sqs.close());

async function call(action: string, input: object) {
  const response = await fetch(sqs.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the local SQS endpoint', () => {
  it('queues a SendMessageBatch and answers each entry with its id and the MD5 of its body', async () => {
    // prepare
    const before = queue.size;

    // act
    const { status, body } = await call('SendMessageBatch', { QueueUrl: sqs.queueUrl('events'), Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'twö' }] });

    // assess
    expect(status).toBe(200);
    expect(body.Failed).toEqual([]);
    expect(body.Successful.map((entry: { Id: string }) => entry.Id)).toEqual(['a', 'b']);
    expect(body.Successful[1].MD5OfMessageBody).toBe(createHash('md5').update('twö').digest('hex'));
    expect(queue.size).toBe(before + 2);
    expect(queue.bodies().slice(-2)).toEqual(['one', 'twö']);
  });

  it('answers SendMessage with a message id', async () => {
    const { status, body } = await call('SendMessage', { QueueUrl: sqs.queueUrl('events'), MessageBody: '{"Records":[]}' });
    expect(status).toBe(200);
    expect(body.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['an unknown queue', 'SendMessage', { QueueUrl: 'http://x/000000000000/other', MessageBody: 'x' }, 'QueueDoesNotExist'],
    ['more than 10 entries', 'SendMessageBatch', { QueueUrl: 'http://x/000000000000/events', Entries: Array.from({ length: 11 }, (_, i) => ({ Id: String(i), MessageBody: 'x' })) }, 'TooManyEntriesInBatchRequest'],
    ['an action it does not serve', 'DeleteQueue', { QueueUrl: 'http://x/000000000000/events' }, 'UnsupportedOperation'],
  ])('refuses %s in the SQS error shape', async (_what, action, input, type) => {
    const { status, body } = await call(action, input);
    expect(status).toBe(400);
    expect(body.__type).toBe(`com.amazonaws.sqs#${type}`);
  });
});

describe('DelaySeconds (the directory recompute messages coalesce bursts with it)', () => {
  let clock = 0;
  let delayed: LocalQueue;
  let endpoint: LocalSqsEndpoint;

  beforeAll(async () => {
    delayed = new LocalQueue({ name: 'delayed', visibilityTimeoutMs: 1000, now: () => clock });
    endpoint = await startLocalSqsEndpoint([delayed]);
  });
  afterAll(() => endpoint.close());

  it('keeps a delayed message invisible until its delay has passed, and says when it will be visible', async () => {
    // prepare
    clock = 1_000_000;

    // act
    const { body } = await call2(endpoint, 'SendMessageBatch', { QueueUrl: endpoint.queueUrl('delayed'), Entries: [{ Id: 'a', MessageBody: 'later', DelaySeconds: 2 }, { Id: 'b', MessageBody: 'now' }] });
    const received = delayed.receive(10);
    for (const message of received) delayed.delete(message.receiptHandle);
    const atOnce = received.map((message) => message.body);
    const nextIn = delayed.nextVisibleInMs();
    clock += 1999;
    const early = delayed.receive(10).map((message) => message.body);
    clock += 1;
    const onTime = delayed.receive(10).map((message) => message.body);

    // assess
    expect(body.Failed).toEqual([]);
    expect(atOnce).toEqual(['now']);
    expect(nextIn).toBe(2000);
    expect(early).toEqual([]);
    expect(onTime).toEqual(['later']);
  });

  it('refuses a DelaySeconds SQS refuses (over 900, not an integer), per entry and on SendMessage', async () => {
    // prepare
    const before = delayed.size;

    // act
    const batch = await call2(endpoint, 'SendMessageBatch', { QueueUrl: endpoint.queueUrl('delayed'), Entries: [{ Id: 'a', MessageBody: 'x', DelaySeconds: 901 }, { Id: 'b', MessageBody: 'x', DelaySeconds: 1.5 }] });
    const single = await call2(endpoint, 'SendMessage', { QueueUrl: endpoint.queueUrl('delayed'), MessageBody: 'x', DelaySeconds: -1 });

    // assess
    expect(batch.body.Failed.map((entry: { Id: string; Code: string }) => [entry.Id, entry.Code])).toEqual([['a', 'InvalidParameterValue'], ['b', 'InvalidParameterValue']]);
    expect(single.status).toBe(400);
    expect(single.body.__type).toBe('com.amazonaws.sqs#InvalidParameterValue');
    expect(delayed.size).toBe(before);
  });
});

async function call2(at: LocalSqsEndpoint, action: string, input: object) {
  const response = await fetch(at.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('a full local queue', () => {
  let full: LocalQueue;
  let endpoint: LocalSqsEndpoint;

  beforeAll(async () => {
    full = new LocalQueue({ name: 'full', visibilityTimeoutMs: 1000, maxMessages: 1 });
    full.send('the one it holds');
    endpoint = await startLocalSqsEndpoint([full]);
  });
  afterAll(() => endpoint.close());

  it('answers OverLimit, per entry on SendMessageBatch and on SendMessage, and queues nothing', async () => {
    // act
    const batch = await call2(endpoint, 'SendMessageBatch', { QueueUrl: endpoint.queueUrl('full'), Entries: [{ Id: 'a', MessageBody: 'x' }] });
    const single = await call2(endpoint, 'SendMessage', { QueueUrl: endpoint.queueUrl('full'), MessageBody: 'x' });

    // assess
    expect(batch.body.Failed).toMatchObject([{ Id: 'a', SenderFault: false, Code: 'OverLimit' }]);
    expect(single.status).toBe(400);
    expect(single.body.__type).toBe('com.amazonaws.sqs#OverLimit');
    expect(full.size).toBe(1);
  });
});

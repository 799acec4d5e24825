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

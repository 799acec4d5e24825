/**
 * The lifecycle queue (lib/store/lifecycle-queue.ts) sending through `@aws-sdk/client-sqs` (the client of
 * lib/store/clients.ts) to the local SQS endpoint (lib/local/sqs-endpoint.ts), as on the local stack:
 * batches of at most 10, the S3 notification shape and the directory message, DelaySeconds; and, against
 * a scripted server, SQS's per-entry answers: failed entries are sent again or fail the enqueue, never
 * counted as sent.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { LocalQueue } from '../../lib/local/object-event-queue';
import { startLocalSqsEndpoint, type LocalSqsEndpoint } from '../../lib/local/sqs-endpoint';
import { sqsClient as processSqsClient } from '../../lib/store/clients';
import { SqsLifecycleQueue } from '../../lib/store/lifecycle-queue';
import { serverAnswering } from '../support/aws-wire';

/** The service's SQS client (lib/store/clients.ts) on `sqsEndpoint`. */
const sqsClient = (sqsEndpoint: string) =>
  processSqsClient(parseConfig({ TABLE_NAME: 't', FILES_BUCKET: 'files', REPLICA_BUCKET: 'replica', SQS_ENDPOINT: sqsEndpoint }));

let endpoint: LocalSqsEndpoint;
let queue: LocalQueue;
let now = 1_000_000;

beforeAll(async () => {
  queue = new LocalQueue({ name: 'lifecycle', visibilityTimeoutMs: 1000, now: () => now });
  endpoint = await startLocalSqsEndpoint([queue]);
});
afterAll(() => endpoint.close());

describe('lifecycle queue through the local SQS endpoint', () => {
  it('sends one ObjectCreated notification per file, in batches of 10', async () => {
    // prepare
    const lifecycle = new SqsLifecycleQueue(sqsClient(endpoint.endpoint), endpoint.queueUrl('lifecycle'));
    const files = Array.from({ length: 12 }, (_, i) => ({ bucketUuid: 'b1', uuid: `f${i}` }));
    const before = queue.size;

    // act
    await lifecycle.enqueue(files);

    // assess
    expect(queue.size).toBe(before + 12);
    const keys = queue
      .bodies()
      .slice(-12)
      .map((body) => (JSON.parse(body) as { Records: { eventSource: string; s3: { object: { key: string } } }[] }).Records[0]!)
      .map((record) => `${record.eventSource} ${record.s3.object.key}`);
    expect(keys.sort()).toEqual(files.map((file) => `aws:s3 uploads/b1/${file.uuid}`).sort());
  });

  it('sends a delayed directory message, invisible until its delay has passed', async () => {
    // prepare
    const lifecycle = new SqsLifecycleQueue(sqsClient(endpoint.endpoint), endpoint.queueUrl('lifecycle'));
    for (const message of queue.receive(100)) queue.delete(message.receiptHandle);

    // act
    await lifecycle.enqueueDirectories([{ bucketUuid: 'b1', directoryUuid: null }], 30);

    // assess
    expect(queue.bodies().map((body) => JSON.parse(body))).toContainEqual({ recomputeDirectory: { bucketUuid: 'b1', directoryUuid: null } });
    expect(queue.nextVisibleInMs()).toBe(30_000);
  });

  it('throws when SQS refuses the request (unknown queue)', async () => {
    // prepare
    const lifecycle = new SqsLifecycleQueue(sqsClient(endpoint.endpoint), `${endpoint.endpoint}/000000000000/missing`);

    // act
    const error = await lifecycle.enqueue([{ bucketUuid: 'b1', uuid: 'f' }]).catch((caught: unknown) => caught);

    // assess
    expect((error as Error).name).toBe('QueueDoesNotExist');
  });
});

describe('lifecycle queue: SQS answers entry by entry', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  /** An SQS JSON answer to SendMessageBatch: entries `ok` sent (with the MD5 the SDK checks), the others failed as `failure`. */
  const batchAnswer =
    (ok: (id: string) => boolean, failure: { Code: string; SenderFault: boolean }) =>
    (response: ServerResponse, body: string) => {
      const entries = (JSON.parse(body) as { Entries: { Id: string; MessageBody: string }[] }).Entries;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
        JSON.stringify({
          Successful: entries.filter((entry) => ok(entry.Id)).map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: md5(entry.MessageBody) })),
          Failed: entries.filter((entry) => !ok(entry.Id)).map((entry) => ({ Id: entry.Id, ...failure, Message: `${failure.Code} for ${entry.Id}` })),
        }),
      );
    };
  const files = (count: number) => Array.from({ length: count }, (_, i) => ({ bucketUuid: 'b1', uuid: `f${i}` }));
  const sentIds = (body: string) => (JSON.parse(body) as { Entries: { Id: string }[] }).Entries.map((entry) => entry.Id);

  async function scripted(...answers: Array<(response: ServerResponse, body: string) => void>) {
    const server = await serverAnswering(...answers);
    close = server.close;
    return { lifecycle: new SqsLifecycleQueue(sqsClient(server.endpoint), `${server.endpoint}/000000000000/lifecycle`), received: server.received };
  }

  it('sends again only the entries SQS failed for its own reasons, and resolves once all are taken', async () => {
    // prepare
    const { lifecycle, received } = await scripted(
      batchAnswer((id) => id !== '1', { Code: 'InternalError', SenderFault: false }),
      batchAnswer(() => true, { Code: '', SenderFault: false }),
    );

    // act
    await lifecycle.enqueue(files(3));

    // assess
    expect(received.map((request) => sentIds(request.body))).toEqual([['0', '1', '2'], ['1']]);
  });

  it('fails the enqueue at once when SQS refuses an entry as the sender fault', async () => {
    // prepare
    const { lifecycle, received } = await scripted(batchAnswer((id) => id !== '0', { Code: 'InvalidParameterValue', SenderFault: true }));

    // act
    const error = await lifecycle.enqueue(files(2)).catch((caught: unknown) => caught);

    // assess
    expect((error as Error).message).toMatch(/did not take 1 lifecycle message\(s\) \(InvalidParameterValue\)/);
    expect(received).toHaveLength(1);
  });

  it('fails the enqueue after 3 sends when an entry keeps failing, and treats an entry SQS did not answer as not sent', async () => {
    // prepare: entry 1 is throttled every time; entry 2 is in neither list of the answer
    const { lifecycle, received } = await scripted((response, body) => {
      const entries = (JSON.parse(body) as { Entries: { Id: string; MessageBody: string }[] }).Entries;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
        JSON.stringify({
          Successful: entries.filter((entry) => entry.Id === '0').map((entry) => ({ Id: entry.Id, MessageId: 'm', MD5OfMessageBody: md5(entry.MessageBody) })),
          Failed: entries.filter((entry) => entry.Id === '1').map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'RequestThrottled', Message: 'slow down' })),
        }),
      );
    });

    // act
    const error = await lifecycle.enqueue(files(3)).catch((caught: unknown) => caught);

    // assess
    expect(received.map((request) => sentIds(request.body))).toEqual([['0', '1', '2'], ['1', '2'], ['1', '2']]);
    expect((error as Error).message).toMatch(/did not take 2 lifecycle message\(s\) \(RequestThrottled, NoAnswer\)/);
  });
});

/**
 * The lifecycle queue (lib/store/lifecycle-queue.ts) sending through the small SQS
 * client to the local SQS endpoint (lib/local/sqs-endpoint.ts), as on the local stack:
 * batches of at most 10, the S3 notification shape and the directory message, DelaySeconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../lib/local/object-event-queue';
import { startLocalSqsEndpoint, type LocalSqsEndpoint } from '../../lib/local/sqs-endpoint';
import { SqsLifecycleQueue } from '../../lib/store/lifecycle-queue';
import { SqsClient } from '../../lib/store/sqs-client';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
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
    const lifecycle = new SqsLifecycleQueue(new SqsClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials }), endpoint.queueUrl('lifecycle'));
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
    const lifecycle = new SqsLifecycleQueue(new SqsClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials }), endpoint.queueUrl('lifecycle'));
    for (const message of queue.receive(100)) queue.delete(message.receiptHandle);

    // act
    await lifecycle.enqueueDirectories([{ bucketUuid: 'b1', directoryUuid: null }], 30);

    // assess
    expect(queue.bodies().map((body) => JSON.parse(body))).toContainEqual({ recomputeDirectory: { bucketUuid: 'b1', directoryUuid: null } });
    expect(queue.nextVisibleInMs()).toBe(30_000);
  });

  it('throws when SQS refuses the request (unknown queue)', async () => {
    // prepare
    const lifecycle = new SqsLifecycleQueue(new SqsClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials }), `${endpoint.endpoint}/000000000000/missing`);

    // act
    const error = await lifecycle.enqueue([{ bucketUuid: 'b1', uuid: 'f' }]).catch((caught: unknown) => caught);

    // assess
    expect((error as Error).name).toBe('QueueDoesNotExist');
  });
});

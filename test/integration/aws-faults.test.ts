/**
 * Faults of the AWS services, as a user meets them every day: S3 asking to slow down (503 SlowDown),
 * SQS throttling, a call that never answers. Each request either succeeds through the SDK's retries
 * (the settings of lib/store/clients.ts) or answers the surface's own 5xx envelope, and leaves nothing
 * half-written: the table and the bucket are checked afterwards. The faults come from a proxy in front of
 * the real emulators (test/support/fault-proxy.ts) and from a scripted SQS endpoint (test/support/aws-wire.ts).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { setServicesForTests, type Services } from '../../lib/app/services';
import { CLIENT_SETTINGS } from '../../lib/store/clients';
import { serverAnswering } from '../support/aws-wire';
import { expectQuantumSuccess } from '../support/envelopes';
import { invoke } from '../support/events';
import { faultProxy, SLOW_DOWN, type FaultProxy } from '../support/fault-proxy';
import { buildTestServices, createTestBucket, createTestTenant, testServices, type TestTenant } from '../support/services';
import { tableSnapshot } from './apillon/helpers';
import { addFiles, quantum, routeEvent, snapshot, storedText } from './quantum/support';

let services: Services;
let tenant: TestTenant;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  services = await testServices();
  tenant = await createTestTenant(services, { quotaBytes: 1_000_000 });
});

afterEach(async () => {
  setServicesForTests(undefined);
  for (const close of closers.splice(0)) await close();
});

/** The handlers' services with some endpoints replaced (same table and buckets as `services`). */
function servicesWith(overrides: Record<string, string>): Services {
  const faulty = buildTestServices(overrides);
  setServicesForTests(faulty);
  return faulty;
}

async function proxied(target: string, decide: Parameters<typeof faultProxy>[1]): Promise<FaultProxy> {
  const proxy = await faultProxy(target, decide);
  closers.push(() => proxy.close());
  return proxy;
}

/** Every item of the table but the entry-number allocator's block (numbers are reserved in blocks and never reused). */
const storedItems = async () => (await tableSnapshot(services)).filter((item) => item.pk !== 'SEQUENCE');

/** Quantum file/add's PUT of staged bytes (PutObject under files/). */
const isPutOfBytes = (request: { method: string; url: string }) => request.method === 'PUT' && /\/files\//.test(request.url);

describe('S3 answers 503 SlowDown', () => {
  it('twice: the SDK retries, the file is stored and charged once', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    let refused = 0;
    const proxy = await proxied(inject('emulators').s3Endpoint, (request) => (isPutOfBytes(request) && refused++ < 2 ? SLOW_DOWN : 'pass'));
    servicesWith({ S3_ENDPOINT: proxy.endpoint });
    const usedBefore = (await services.accounts.getAccount(tenant.accountId))!.usedBytes;

    // act
    const response = await addFiles(tenant.headers.master, bucket.name, 'slow', [{ name: 'a.txt', content: 'alpha' }]);

    // assess
    expectQuantumSuccess(response);
    expect(proxy.seen.filter(isPutOfBytes).map((request) => request.fault)).toEqual([503, 503, 'pass']);
    expect(await storedText(services, bucket, 'slow/a.txt')).toBe('alpha');
    expect((await services.accounts.getAccount(tenant.accountId))!.usedBytes).toBe(usedBefore + 5);
  });

  it('every time: the request answers Quantum\u2019s 5xx envelope and nothing is written (no path, no object, no charge)', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const proxy = await proxied(inject('emulators').s3Endpoint, (request) => (isPutOfBytes(request) ? SLOW_DOWN : 'pass'));
    servicesWith({ S3_ENDPOINT: proxy.endpoint });
    const [before, table] = [await snapshot(services, bucket), await storedItems()];

    // act
    const response = await addFiles(tenant.headers.master, bucket.name, 'slow', [{ name: 'a.txt', content: 'alpha' }]);

    // assess
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(response.body).toEqual({ status: 'error', message: expect.any(String) });
    expect(proxy.seen.filter(isPutOfBytes)).toHaveLength(3); // the SDK's 3 attempts
    expect(await snapshot(services, bucket)).toEqual(before);
    expect(await storedItems()).toEqual(table); // no intent, claim or entry left behind
  });
});

describe('SQS throttles', () => {
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  const throttled = (response: ServerResponse) =>
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled.' }));
  const taken = (response: ServerResponse, body: string) => {
    const entries = (JSON.parse(body) as { Entries: { Id: string; MessageBody: string }[] }).Entries;
    response
      .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
      .end(JSON.stringify({ Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: md5(entry.MessageBody) })), Failed: [] }));
  };

  it('a throttled SendMessageBatch is retried by the SDK: the file is committed and its lifecycle message sent once', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const sqs = await serverAnswering(throttled, taken);
    closers.push(sqs.close);
    servicesWith({ SQS_ENDPOINT: sqs.endpoint, LIFECYCLE_QUEUE_URL: `${sqs.endpoint}/000000000000/object-events` });

    // act
    const response = await addFiles(tenant.headers.master, bucket.name, 'queued', [{ name: 'a.txt', content: 'alpha' }]);

    // assess
    expectQuantumSuccess(response);
    expect(sqs.received.map((received) => received.request.headers['x-amz-target'])).toEqual(['AmazonSQS.SendMessageBatch', 'AmazonSQS.SendMessageBatch']);
    const sent = (JSON.parse(sqs.received[1]!.body) as { Entries: { MessageBody: string }[] }).Entries.map((entry) => JSON.parse(entry.MessageBody).Records[0].s3.object.key);
    const file = await services.entries.get((await services.entries.getPathClaim(bucket.bucketUuid, 'queued/a.txt'))!.entryUuid);
    expect(sent).toEqual([`uploads/${bucket.bucketUuid}/${file!.uuid}`]);
  });
});

describe('a call that never answers', () => {
  it('times out after the request timeout and is retried: the request succeeds', async () => {
    // prepare: DynamoDB Local behind a proxy that leaves the first GetItem unanswered
    let hung = 0;
    const proxy = await proxied(inject('emulators').dynamodbEndpoint, (request) =>
      request.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem' && hung++ === 0 ? 'hang' : 'pass',
    );
    servicesWith({ DYNAMODB_ENDPOINT: proxy.endpoint });
    const started = Date.now();

    // act
    const response = await invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers: tenant.headers.master }));

    // assess
    expectQuantumSuccess(response);
    expect(typeof response.body.data.space_left).toBe('number');
    expect(proxy.seen.filter((request) => request.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem')[0]!.fault).toBe('hang');
    expect(Date.now() - started).toBeGreaterThanOrEqual(CLIENT_SETTINGS.requestTimeoutMs.dynamodb);
  });
});

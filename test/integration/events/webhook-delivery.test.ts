/**
 * files.ready webhooks end to end inside one process (issue 22): real upload sessions through the handlers and
 * the object-created function on the emulators, the local SQS endpoint and queue (lib/local: delays honoured,
 * partial batch failures) polled into the real webhookDeliver handler, and a real HTTP receiver on 127.0.0.1.
 * Retries use the schedule's own scaling setting (WEBHOOK_RETRY_FIRST_DELAY_SECONDS=1: 1 s, then 5 s), no mock.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importer } from 'ipfs-unixfs-importer';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as webhookDeliver } from '../../../functions/events/webhook-deliver/handler';
import { setWebhook } from '../../../lib/apillon/webhook-settings';
import { authenticate } from '../../../lib/core/access/authenticate';
import { ObjectEventBridge } from '../../../lib/local/object-event-bridge';
import { LocalQueue } from '../../../lib/local/object-event-queue';
import { startLocalSqsEndpoint, type LocalSqsEndpoint } from '../../../lib/local/sqs-endpoint';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { prngBytes } from '../../support/data';
import { lambdaContext } from '../../support/events';
import { buildTestServices, createTestBucket, createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, deliverEvents, objectKeyOf, putBytes } from '../apillon/helpers';
import { EventEmitter } from 'node:events';
import type { FilesReadyPayload } from '../../../lib/core/webhooks/files-ready';
import { STRANDED_AFTER_SECONDS, sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import { advanceFile } from '../../../lib/core/lifecycle/lifecycle';
import { addFiles as quantumAdd } from '../quantum/support';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly path: string;
}

/** A receiver on 127.0.0.1 per path: it records every call and answers the next status of that path's script (then 200). */
class Receiver {
  readonly calls: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path });
        const status = this.scripts.get(path)?.shift() ?? 200;
        if (status === 302) response.writeHead(302, { location: `${this.url}/redirected` }).end();
        else response.writeHead(status, { 'content-type': 'text/plain' }).end('x'.repeat(64 * 1024));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, statuses: number[]): string {
    this.scripts.set(path, [...statuses]);
    return `${this.url}${path}`;
  }

  callsTo(path: string): Received[] {
    return this.calls.filter((call) => call.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let services: Services;
let tenant: TestTenant;
let sqs: LocalSqsEndpoint;
let bridge: ObjectEventBridge;
let deadLetters: LocalQueue;
const receiver = new Receiver();

beforeAll(async () => {
  await testServices(); // this file's table and buckets
  await receiver.start();
  deadLetters = new LocalQueue({ name: 'webhooks-dlq', visibilityTimeoutMs: 5_000 });
  const queue = new LocalQueue({ name: 'webhooks', visibilityTimeoutMs: 5_000, redrive: { deadLetterQueue: deadLetters, maxReceiveCount: 5 } });
  sqs = await startLocalSqsEndpoint([queue, deadLetters]);
  services = buildTestServices({
    SQS_ENDPOINT: sqs.endpoint,
    WEBHOOK_QUEUE_URL: sqs.queueUrl('webhooks'),
    WEBHOOK_DEAD_LETTER_QUEUE_URL: sqs.queueUrl('webhooks-dlq'),
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_RETRY_FIRST_DELAY_SECONDS: '1',
  });
  setServicesForTests(services);
  tenant = await createTestTenant(services);
  bridge = new ObjectEventBridge({
    source: new EventEmitter(),
    bucketName: '',
    settings: { Prefix: '', Events: [], MaxReceiveCount: 5, BatchSize: 5, MaximumBatchingWindow: 0 },
    queue,
    logger: services.logger,
    invoke: (event) => webhookDeliver(event, lambdaContext()),
  });
  bridge.start();
}, 60_000);

afterAll(async () => {
  await bridge?.stop();
  await sqs?.close();
  await receiver.stop();
  setServicesForTests(undefined);
});

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An upload session of `files` in `bucketUuid`: requested, bytes PUT; returns the session and each file's object key. */
async function uploadSession(bucketUuid: string, files: { fileName: string; path: string; bytes: Uint8Array }[]) {
  const sessionUuid = randomUUID();
  const response = await call('sessionUpload', {
    params: { bucketUuid },
    headers: { ...tenant.headers.basic, 'content-type': 'application/json' },
    body: { sessionUuid, files: files.map(({ fileName, path }) => ({ fileName, path, contentType: 'application/octet-stream' })) },
  });
  if (response.statusCode !== 201) throw new Error(`session upload failed: ${response.rawBody}`);
  const answered: { url: string; fileUuid: string }[] = response.body.data.files;
  await Promise.all(answered.map((file, i) => putBytes(file.url, files[i]!.bytes)));
  return { sessionUuid, keys: answered.map((file) => objectKeyOf(file.url)), fileUuids: answered.map((file) => file.fileUuid) };
}

const endSession = (bucketUuid: string, sessionUuid: string) =>
  call('sessionEnd', { params: { bucketUuid, sessionUuid }, headers: { ...tenant.headers.basic, 'content-type': 'application/json' }, body: {} });

/** The CIDv1 the official SDK computes (ipfs-unixfs-importer 7.0.1, as @apillon/sdk 3.x calls it). */
async function sdkCid(bytes: Uint8Array): Promise<string> {
  const blocks = { get: async () => { throw new Error('no get'); }, put: async () => { throw new Error('no put'); } };
  let last: { cid: { toString(): string } } | undefined;
  for await (const entry of importer([{ content: [bytes] }] as never, blocks as never, { cidVersion: 1, onlyHash: true } as never)) last = entry;
  return last!.cid.toString();
}

describe('files.ready webhooks', () => {
  it('a receiver that answers 500 twice gets the same event a third time, same id, each call verified by standardwebhooks', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/flaky', [500, 500]);
    const { webhook } = await setWebhook(services, await principalOf(), bucket.bucketUuid, { url, authType: 'bearer', param1: 'token-123' });
    const session = await uploadSession(bucket.bucketUuid, [{ fileName: 'one.txt', path: '', bytes: prngBytes(1000, 1) }]);

    // act
    await deliverEvents(services, session.keys);
    await endSession(bucket.bucketUuid, session.sessionUuid);
    const calls = await waitFor('three calls', () => receiver.callsTo('/flaky').length >= 3 && receiver.callsTo('/flaky'), 30_000);

    // assess
    expect(calls).toHaveLength(3);
    const verifier = new Webhook(webhook.secret);
    for (const received of calls) {
      expect(() => verifier.verify(received.body, received.headers as Record<string, string>)).not.toThrow();
      expect(received.headers.authorization).toBe('Bearer token-123');
    }
    expect(new Set(calls.map((received) => received.headers['webhook-id'])).size).toBe(1);
    expect(new Set(calls.map((received) => JSON.parse(received.body).timestamp)).size).toBe(1);
    const payload = JSON.parse(calls[2]!.body) as FilesReadyPayload;
    expect(payload).toMatchObject({ type: 'files.ready', bucketUuid: bucket.bucketUuid, sessionUuid: session.sessionUuid });
    expect(payload.files.map((file) => file.fileUuid)).toEqual(session.fileUuids);
    const attempts = await pollAttempts(bucket.bucketUuid, 3);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.statusCode])).toEqual([[3, 200], [2, 500], [1, 500]]);
    expect(new Set(attempts.map((attempt) => attempt.eventId))).toEqual(new Set([calls[0]!.headers['webhook-id']]));
  }, 60_000);

  it('a session of many files, processed concurrently and ended midway, gives exactly one call listing every file with the SDK importer’s CID', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/site', []);
    await setWebhook(services, await principalOf(), bucket.bucketUuid, { url });
    const files = Array.from({ length: 24 }, (_, i) => ({ fileName: `page-${i}.html`, path: i % 3 === 0 ? '' : `dir-${i % 3}/`, bytes: prngBytes(200 + i * 977, 100 + i) }));
    const session = await uploadSession(bucket.bucketUuid, files);

    // act: the files' events arrive concurrently, the end comes while they are being processed
    const half = Math.floor(session.keys.length / 2);
    await Promise.all(session.keys.slice(0, half).map((key) => deliverEvents(services, [key])));
    await Promise.all([endSession(bucket.bucketUuid, session.sessionUuid), ...session.keys.slice(half).map((key) => deliverEvents(services, [key]))]);
    // replays change nothing
    await Promise.all(session.keys.slice(0, 4).map((key) => deliverEvents(services, [key])));
    const [received] = await waitFor('the call', () => receiver.callsTo('/site').length > 0 && receiver.callsTo('/site'));
    await new Promise((resolve) => setTimeout(resolve, 3000));

    // assess
    expect(receiver.callsTo('/site')).toHaveLength(1);
    const payload = JSON.parse(received!.body) as FilesReadyPayload;
    expect(payload.files).toHaveLength(files.length);
    const expected = await Promise.all(files.map(async (file, i) => ({ fileUuid: session.fileUuids[i], name: file.fileName, path: file.path, size: file.bytes.length, CIDv1: await sdkCid(file.bytes) })));
    const byUuid = new Map(payload.files.map((file) => [file.fileUuid, file]));
    for (const file of expected) {
      expect(byUuid.get(file.fileUuid!)).toMatchObject({ ...file, CID: file.CIDv1 });
    }
  }, 90_000);

  it('a session whose files all finish before its end is announced by the end, once', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/late-end', []);
    await setWebhook(services, await principalOf(), bucket.bucketUuid, { url });
    const session = await uploadSession(bucket.bucketUuid, [1, 2, 3].map((i) => ({ fileName: `f${i}`, path: 'a/', bytes: prngBytes(50 * i, i) })));
    await Promise.all(session.keys.map((key) => deliverEvents(services, [key])));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const beforeEnd = receiver.callsTo('/late-end').length;

    // act
    await endSession(bucket.bucketUuid, session.sessionUuid);
    await waitFor('the call', () => receiver.callsTo('/late-end').length > 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess
    expect(beforeEnd).toBe(0);
    expect(receiver.callsTo('/late-end')).toHaveLength(1);
    expect(JSON.parse(receiver.callsTo('/late-end')[0]!.body).files).toHaveLength(3);
  }, 60_000);

  it('refuses at delivery a target that resolves to a private address now, and does not follow a redirect', async () => {
    // prepare: a webhook stored as if its host had resolved elsewhere when it was set (DNS changed since)
    const privateBucket = await createTestBucket(services, tenant.accountId);
    const redirectBucket = await createTestBucket(services, tenant.accountId);
    const now = new Date().toISOString();
    await services.webhooks.put({ bucketUuid: privateBucket.bucketUuid, accountId: tenant.accountId, url: 'http://10.20.30.40/hook', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: now, updatedAt: now });
    await setWebhook(services, await principalOf(), redirectBucket.bucketUuid, { url: receiver.script('/moved', [302, 302, 302]) });
    const first = await uploadSession(privateBucket.bucketUuid, [{ fileName: 'p', path: '', bytes: prngBytes(10, 9) }]);
    const second = await uploadSession(redirectBucket.bucketUuid, [{ fileName: 'r', path: '', bytes: prngBytes(10, 8) }]);

    // act
    await deliverEvents(services, [...first.keys, ...second.keys]);
    await Promise.all([endSession(privateBucket.bucketUuid, first.sessionUuid), endSession(redirectBucket.bucketUuid, second.sessionUuid)]);
    await waitFor('the redirect answered twice', () => receiver.callsTo('/moved').length >= 2);
    const privateLog = await pollAttempts(privateBucket.bucketUuid, 2);

    // assess
    expect(privateLog.every((attempt) => attempt.statusCode === undefined && /refused: .*private address/.test(attempt.error ?? ''))).toBe(true);
    expect(receiver.callsTo('/redirected')).toHaveLength(0);
    const redirectLog = await pollAttempts(redirectBucket.bucketUuid, 2);
    expect(redirectLog.map((attempt) => attempt.statusCode)).toEqual([302, 302]);
  }, 60_000);

  it('a Quantum file/add of several files gives one call listing them all, settled concurrently, as a session does', async () => {
    // prepare: three files in one request (one named twice: the last one is stored), to a bucket with a webhook
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/quantum-add', []);
    await setWebhook(services, await principalOf(), bucket.bucketUuid, { url });
    const added = await quantumAdd(tenant.headers.master, bucket.name, 'site', [
      { name: 'q0.bin', content: prngBytes(300, 200) },
      { name: 'q1.bin', content: prngBytes(600, 201) },
      { name: 'q2.bin', content: prngBytes(900, 202) },
      { name: 'q1.bin', content: prngBytes(700, 203) },
    ], { force: 'true' });
    expect(added.statusCode, added.rawBody).toBe(200);
    const uuids = await Promise.all(['q0', 'q1', 'q2'].map(async (name) => (await services.entries.getPathClaim(bucket.bucketUuid, `site/${name}.bin`))!.entryUuid));

    // act: each file's lifecycle run (what the lifecycle queue's messages run), all at once
    await Promise.all(uuids.map((uuid) => advanceFile(services, uuid)));
    const [received] = await waitFor('the call', () => receiver.callsTo('/quantum-add').length > 0 && receiver.callsTo('/quantum-add'));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess
    expect(receiver.callsTo('/quantum-add')).toHaveLength(1);
    const payload = JSON.parse(received!.body) as FilesReadyPayload;
    expect(payload).toMatchObject({ type: 'files.ready', bucketUuid: bucket.bucketUuid, sessionUuid: expect.any(String) });
    expect(payload.files.map((file) => [file.path, file.name, file.size])).toEqual([
      ['site/', 'q0.bin', 300],
      ['site/', 'q1.bin', 700],
      ['site/', 'q2.bin', 900],
    ]);
    expect(payload.files.map((file) => file.fileUuid).sort()).toEqual([...uuids].sort());
  }, 60_000);

  it('a files.ready claimed by a run that died before queueing it is queued by the sweeper, once, as the same event', async () => {
    // prepare: the files settle, the session ends in a run with no queue (nothing announced), then a run takes
    // the claim and dies before queueing (the claim is all it wrote)
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/orphan-claim', []);
    await setWebhook(services, await principalOf(), bucket.bucketUuid, { url });
    const session = await uploadSession(bucket.bucketUuid, [1, 2].map((i) => ({ fileName: `o${i}`, path: '', bytes: prngBytes(40 * i, 70 + i) })));
    await deliverEvents(services, session.keys);
    setServicesForTests({ ...services, webhookQueue: undefined });
    try {
      expect((await endSession(bucket.bucketUuid, session.sessionUuid)).statusCode).toBe(200);
    } finally {
      setServicesForTests(services);
    }
    const readyAt = new Date().toISOString();
    const claim = await services.webhooks.claimReadySession(session.sessionUuid, readyAt);
    await deliverEvents(services, session.keys); // the object events come back: the claim is taken, nothing is queued
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const beforeSweep = receiver.callsTo('/orphan-claim').length;

    // act: sweeps after the stranded threshold
    const later = new Date(Date.now() + (STRANDED_AFTER_SECONDS + 60) * 1000);
    const first = await sweepStrandedFiles(services, later);
    const second = await sweepStrandedFiles(services, later);
    const [received] = await waitFor('the call', () => receiver.callsTo('/orphan-claim').length > 0 && receiver.callsTo('/orphan-claim'));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess
    expect(claim?.readyAt).toBe(readyAt);
    expect(beforeSweep).toBe(0);
    expect(first.announced).toBe(1);
    expect(second.announced).toBe(0);
    expect(receiver.callsTo('/orphan-claim')).toHaveLength(1);
    const payload = JSON.parse(received!.body) as FilesReadyPayload;
    expect(payload).toMatchObject({ type: 'files.ready', sessionUuid: session.sessionUuid, timestamp: readyAt });
    expect(payload.files.map((file) => file.fileUuid).sort()).toEqual([...session.fileUuids].sort());
    expect(await services.webhooks.unqueuedSession(session.sessionUuid)).toBeUndefined();
  }, 60_000);

  it('a session whose last file is completed by the sweeper (its object event lost) is announced, once', async () => {
    // prepare: two files uploaded, only the first one's event arrives; the session ends
    const bucket = await createTestBucket(services, tenant.accountId);
    const url = receiver.script('/swept', []);
    await setWebhook(services, await principalOf(), bucket.bucketUuid, { url });
    const session = await uploadSession(bucket.bucketUuid, [1, 2].map((i) => ({ fileName: `s${i}`, path: 'x/', bytes: prngBytes(64 * i, 80 + i) })));
    await deliverEvents(services, session.keys.slice(0, 1));
    await endSession(bucket.bucketUuid, session.sessionUuid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const beforeSweep = receiver.callsTo('/swept').length;

    // act
    const report = await sweepStrandedFiles(services, new Date(Date.now() + (STRANDED_AFTER_SECONDS + 60) * 1000));
    const [received] = await waitFor('the call', () => receiver.callsTo('/swept').length > 0 && receiver.callsTo('/swept'));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess
    expect(beforeSweep).toBe(0);
    expect(report.completed).toBeGreaterThanOrEqual(1);
    expect(receiver.callsTo('/swept')).toHaveLength(1);
    const payload = JSON.parse(received!.body) as FilesReadyPayload;
    expect(payload.files.map((file) => file.fileUuid).sort()).toEqual([...session.fileUuids].sort());
  }, 60_000);
});

async function pollAttempts(bucketUuid: string, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const attempts = await services.webhooks.lastAttempts(bucketUuid, 10);
    if (attempts.length >= count || Date.now() > deadline) return attempts;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The tenant's API key as a principal (what the route's authentication gives setWebhook). */
function principalOf() {
  return authenticate(services.accounts, { authorization: tenant.headers.basic.authorization });
}

/**
 * Bucket webhooks over HTTP on the shared local stack (issue 22): the routes, the official SDK uploading a folder
 * (one signed files.ready call listing every file with the CID the SDK computed), a receiver answering 500 twice
 * (the same event a third time), the delivery log, the SSRF refusal. The stack allows loopback targets (a local
 * run) and retries after 1 s and 5 s (WEBHOOK_RETRY_FIRST_DELAY_SECONDS=1, test/support/e2e-global-setup.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LogLevel, Storage } from '@apillon/sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let stack: Omit<LocalStack, 'stop'>;
let storage: Storage;
let server: Server;
let receiverUrl = '';
const calls = new Map<string, Received[]>();
const scripts = new Map<string, number[]>();
let folder: string;

const FILE_COUNT = 40;

beforeAll(async () => {
  stack = await sharedLocalStack();
  storage = new Storage({ key: stack.credentials.apiKey, secret: stack.credentials.apiSecret, apiUrl: stack.baseUrl, logLevel: LogLevel.NONE });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = calls.get(request.url ?? '/') ?? [];
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      calls.set(request.url ?? '/', received);
      response.writeHead(scripts.get(request.url ?? '/')?.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  folder = mkdtempSync(path.join(os.tmpdir(), 'webhooks-e2e-'));
  for (let i = 0; i < FILE_COUNT; i++) {
    const relative = i % 4 === 0 ? `file-${i}.txt` : `d${i % 4}/nested/file-${i}.txt`;
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), `content of file ${i} `.repeat(1 + i * 37));
  }
});

afterAll(async () => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

const webhookRoute = (bucketUuid: string, suffix = '') => `/storage/buckets/${bucketUuid}/webhook${suffix}`;
const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { ...stack.headers.basic, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('bucket webhooks on the local stack', () => {
  it('a folder uploaded with the SDK gives one signed call listing every file with the SDK’s CID', async () => {
    // prepare
    const bucket = await storage.createBucket({ name: `webhook-e2e-${Date.now()}`, description: 'webhooks' });
    const created = await stack.request(webhookRoute(bucket.uuid), json('PUT', { url: `${receiverUrl}/site`, authType: 'basic', param1: 'apillon', param2: 'pw' }));
    const replaced = await stack.request(webhookRoute(bucket.uuid), json('PUT', { url: `${receiverUrl}/site`, authType: 'basic', param1: 'apillon', param2: 'pw2' }));
    const read = await stack.request(webhookRoute(bucket.uuid), json('GET'));

    // act
    const uploaded = await bucket.uploadFromFolder(folder);
    const [received] = await waitFor('the files.ready call', () => (calls.get('/site')?.length ?? 0) > 0 && calls.get('/site')!, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));

    // assess
    expect(created.status).toBe(201);
    const secret: string = created.body.data.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).not.toHaveProperty('secret');
    expect(read.body.data).toMatchObject({ url: `${receiverUrl}/site`, authType: 'basic', param1: 'apillon' });
    expect(calls.get('/site')).toHaveLength(1);
    expect(() => new Webhook(secret).verify(received!.body, received!.headers as Record<string, string>)).not.toThrow();
    expect(received!.headers.authorization).toBe(`Basic ${Buffer.from('apillon:pw2').toString('base64')}`);
    const payload = JSON.parse(received!.body);
    expect(payload).toMatchObject({ type: 'files.ready', bucketUuid: bucket.uuid });
    expect(payload.files).toHaveLength(FILE_COUNT);
    const sent = new Map(payload.files.map((file: { fileUuid: string; CID: string }) => [file.fileUuid, file.CID]));
    expect(uploaded).toHaveLength(FILE_COUNT);
    for (const file of uploaded) expect(sent.get(file.fileUuid!)).toBe(file.CID);
  }, 180_000);

  it('a receiver that answers 500 twice gets the same event a third time; the delivery log shows the attempts', async () => {
    // prepare
    const bucket = await storage.createBucket({ name: `webhook-retry-${Date.now()}`, description: 'retries' });
    scripts.set('/flaky', [500, 500]);
    const created = await stack.request(webhookRoute(bucket.uuid), json('PUT', { url: `${receiverUrl}/flaky`, authType: 'bearer', param1: 'tok' }));

    // act
    await bucket.uploadFiles([{ fileName: 'one.txt', contentType: 'text/plain', content: Buffer.from('one file') }]);
    const received = await waitFor('three attempts', () => (calls.get('/flaky')?.length ?? 0) >= 3 && calls.get('/flaky')!, 90_000);
    let log = await stack.request(webhookRoute(bucket.uuid, '/deliveries'), json('GET'));
    for (let i = 0; i < 50 && log.body.data.items.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      log = await stack.request(webhookRoute(bucket.uuid, '/deliveries'), json('GET'));
    }
    const removed = await stack.request(webhookRoute(bucket.uuid), json('DELETE'));
    const gone = await stack.request(webhookRoute(bucket.uuid), json('GET'));

    // assess
    expect(received).toHaveLength(3);
    const verifier = new Webhook(created.body.data.secret);
    for (const call of received) {
      expect(() => verifier.verify(call.body, call.headers as Record<string, string>)).not.toThrow();
      expect(call.headers.authorization).toBe('Bearer tok');
    }
    expect(new Set(received.map((call) => call.headers['webhook-id'])).size).toBe(1);
    expect(log.body.data.items.map((item: { statusCode: number }) => item.statusCode)).toEqual([204, 500, 500]);
    expect(log.body.data.items[0].eventId).toBe(received[0]!.headers['webhook-id']);
    expect(removed.status).toBe(200);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 40406050, message: 'WEBHOOK_NOT_FOUND' });
  }, 120_000);

  it('refuses a metadata or private target over HTTP, even where loopback is allowed', async () => {
    // prepare
    const bucket = await storage.createBucket({ name: `webhook-ssrf-${Date.now()}`, description: 'ssrf' });

    // act
    const metadata = await stack.request(webhookRoute(bucket.uuid), json('PUT', { url: 'http://169.254.169.254/latest/meta-data/' }));
    const privateTarget = await stack.request(webhookRoute(bucket.uuid), json('PUT', { url: 'http://192.168.0.10/hook' }));

    // assess
    expect(metadata.status).toBe(400);
    expect(metadata.body).toMatchObject({ code: 40006054, message: 'WEBHOOK_URL_RESOLVES_TO_METADATA_ADDRESS' });
    expect(privateTarget.body).toMatchObject({ code: 40006052, message: 'WEBHOOK_URL_RESOLVES_TO_PRIVATE_ADDRESS' });
  });
});

/**
 * End to end: the local stack started exactly as the README says (`npm start -- --in-memory`),
 * driven over HTTP: the run's one shared stack (test/support/e2e-global-setup.ts). Ctrl-C is
 * checked last, by test/e2e/local-stack-shutdown.last.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

describe('the local stack (npm start -- --in-memory)', () => {
  let stack: Omit<LocalStack, 'stop'>;

  beforeAll(async () => {
    stack = await sharedLocalStack();
  });

  describe('startup', () => {
    it('prints the seeded credentials it was given', () => {
      // assess
      expect(stack.output()).toContain(`master key  ${stack.credentials.masterKey}`);
      expect(stack.output()).toContain(`API secret  ${stack.credentials.apiSecret}`);
      expect(stack.accountId).toMatch(/^[0-9a-f-]{36}$/);
      expect(stack.bucketUuid).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('status', () => {
    it.each(['/status', '/API/status'])('GET %s answers 200 with healthy S3 and DynamoDB', async (path) => {
      // act
      const response = await stack.request(path);

      // assess
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ status: 'success', data: { healthy: true } });
      expect(response.body.data.dependencies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'dynamodb', healthy: true }),
          expect.objectContaining({ name: 's3', healthy: true }),
          expect.objectContaining({ name: 's3-replica', healthy: true }),
        ]),
      );
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('POST /status is refused', async () => {
      // act
      const response = await stack.request('/status', { method: 'POST' });

      // assess
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });
  });

  describe('browser apps and unknown routes (serverless-offline reads the same settings API Gateway gets)', () => {
    it('allows a CORS preflight asking for X-API-MKEY', async () => {
      // act
      const response = await stack.request('/API/bucket', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-mkey' },
      });

      // assess
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|https:\/\/app\.example)$/);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase().split(/\s*,\s*/)).toContain('x-api-mkey');
    });

    it('answers an unknown /storage route with 404 in the Apillon error shape', async () => {
      // act
      const response = await stack.request('/storage/no-such-route');

      // assess
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 40400001, message: 'ROUTE_NOT_FOUND', path: '/storage/no-such-route' });
    });

    it('answers an unknown /API route with 404 in the Quantum shape', async () => {
      // act
      const response = await stack.request('/API/no-such-route');

      // assess
      expect({ status: response.status, body: response.body }).toEqual({ status: 404, body: { status: 'error', message: 'NOT_FOUND' } });
    });
  });

  describe('reference', () => {
    it('serves the OpenAPI document at /openapi.json and its page at /docs, without credentials', async () => {
      // act
      const [json, page] = await Promise.all([stack.request('/openapi.json'), stack.request('/docs')]);

      // assess
      expect(json.status, json.text).toBe(200);
      expect(json.body).toMatchObject({ openapi: '3.1.0', paths: expect.objectContaining({ '/storage/buckets': expect.any(Object) }) });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<div id="swagger-ui"></div>');
      expect(json.body.paths['/API/file/add/{bucket}/{location}']).toBeDefined();
    });
  });

  describe('the large-file route for Quantum users', () => {
    it('lists a bucket made with the Quantum API, with its uuid, at GET /storage/buckets with the master key', async () => {
      // prepare
      const name = `quantum-large-${Date.now()}`;
      const created = await stack.request(`/API/bucket/create/${name}`, { method: 'POST', headers: stack.headers.master });
      expect(created.status, created.text).toBe(200);

      // act
      const listed = await stack.request('/storage/buckets?limit=1000', { headers: stack.headers.master });

      // assess
      expect(listed.status, listed.text).toBe(200);
      const bucket = listed.body.data.items.find((item: { name: string }) => item.name === name);
      expect(bucket?.bucketUuid).toMatch(/^[0-9a-f-]{36}$/);
      const session = await stack.request(`/storage/buckets/${bucket.bucketUuid}/upload`, {
        method: 'POST',
        headers: { ...stack.headers.master, 'content-type': 'application/json' },
        body: JSON.stringify({ files: [{ fileName: 'big.bin', contentType: 'application/octet-stream' }] }),
      });
      expect(session.status, session.text).toBe(201);
      expect(session.body.data.files[0].url).toMatch(/^http/);
    });
  });

  describe('processes', () => {
    it('runs DynamoDB Local and serverless-offline as processes of its own run (what Ctrl-C must stop)', () => {
      // act
      const running = stack.processes().join('\n');

      // assess
      if (process.platform === 'linux') {
        expect(running).toMatch(/java .*DynamoDBLocal/);
        expect(running).toMatch(/serverless offline/);
      }
    });
  });
});

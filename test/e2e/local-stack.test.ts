/**
 * End to end: the local stack started exactly as the README says (`npm start -- --in-memory`),
 * driven over HTTP. Add endpoint checks as new `describe` blocks inside the top-level one,
 * above "shutdown", which must stay last (it stops the stack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../support/local-stack';

describe('the local stack (npm start -- --in-memory)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  // Safety net when a test fails before "shutdown" runs (stop() is idempotent).
  afterAll(async () => {
    await stack?.stop();
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

  // Keep last: stops the stack.
  describe('shutdown', () => {
    it('stops every process it started on Ctrl-C and frees its ports', async () => {
      // prepare
      const running = stack.processes().join('\n');
      if (process.platform === 'linux') {
        expect(running).toMatch(/java .*DynamoDBLocal/);
        expect(running).toMatch(/serverless offline/);
      }

      // act
      const report = await stack.stop();

      // assess
      expect(report.leftovers).toEqual([]);
      expect(report.busyPorts).toEqual([]);
      expect(report.exitCode === 0 || report.signal === 'SIGINT', `exit ${report.exitCode} ${report.signal}`).toBe(true);
    });
  });
});

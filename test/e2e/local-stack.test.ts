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

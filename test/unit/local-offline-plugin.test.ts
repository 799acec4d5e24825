/**
 * The local stage's plugin (lib/local/offline-plugin.ts): the environment each pooled
 * function gets, and the 503 a saturated stack answers, in each surface's error shape.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { PoolBusyError } from '../../lib/local/lambda-pool';
import { busyResponse, functionEnvironment } from '../../lib/local/offline-plugin';

const event = (rawPath: string, method = 'GET') => ({ rawPath, requestContext: { http: { method } } }) as unknown as APIGatewayProxyEventV2;

describe('the local stage plugin', () => {
  describe('functionEnvironment', () => {
    it("merges the provider's and the function's variables over Lambda's own, and keeps only AWS_* of the process", () => {
      // prepare
      const provider = { region: 'eu-west-1', runtime: 'nodejs22.x', environment: { TABLE_NAME: 't', SHARED: 'provider', PORTISH: 3000 } };
      const fn = { name: 'svc-local-objectCreated', handler: 'functions/events/object-created/handler.handler', environment: { SHARED: 'function', LIFECYCLE_QUEUE_URL: 'http://q' } };

      // act
      const env = functionEnvironment('objectCreated', fn, provider, { AWS_ACCESS_KEY_ID: 'k', HOME: '/root', PATH: '/bin' }, 1024);

      // assess
      expect(env).toMatchObject({
        AWS_ACCESS_KEY_ID: 'k',
        AWS_LAMBDA_FUNCTION_NAME: 'svc-local-objectCreated',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
        AWS_REGION: 'eu-west-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: 'functions/events/object-created/handler.handler',
        TABLE_NAME: 't',
        SHARED: 'function',
        PORTISH: '3000',
        LIFECYCLE_QUEUE_URL: 'http://q',
        IS_OFFLINE: 'true',
      });
      expect(env).not.toHaveProperty('HOME');
      expect(env).not.toHaveProperty('PATH');
    });

    it('refuses a variable with no local value (a CloudFormation reference), naming it', () => {
      // act
      const build = () => functionEnvironment('objectCreated', { environment: { LIFECYCLE_QUEUE_URL: { Ref: 'ObjectEventsQueue' } } }, {}, {}, 512);

      // assess
      expect(build).toThrow(/objectCreated: environment variable LIFECYCLE_QUEUE_URL has no local value/);
    });
  });

  describe('busyResponse', () => {
    it('answers a Quantum path with 503 SERVICE_BUSY in the Quantum shape, with Retry-After', () => {
      // act
      const response = busyResponse(event('/API/file/quota'), 'req-1', new PoolBusyError('queue-full', 3));

      // assess
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'retry-after': '3', 'x-request-id': 'req-1', 'content-type': 'application/json; charset=utf-8' });
      expect(JSON.parse(response.body!)).toEqual({ status: 'error', message: 'SERVICE_BUSY' });
    });

    it('answers an Apillon path with 503 SERVICE_BUSY in the Apillon shape', () => {
      // act
      const response = busyResponse(event('/storage/buckets'), 'req-2', new PoolBusyError('queue-wait', 1));

      // assess
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'retry-after': '1' });
      expect(JSON.parse(response.body!)).toMatchObject({ id: 'req-2', code: 50300002, message: 'SERVICE_BUSY', path: '/storage/buckets' });
    });

    it('gives HEAD the same status and headers without a body', () => {
      // act
      const response = busyResponse(event('/ipfs/bafy', 'HEAD'), 'req-3', new PoolBusyError('queue-bytes', 2));

      // assess
      expect(response).toMatchObject({ statusCode: 503, body: '', headers: { 'retry-after': '2' } });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';

const REQUIRED = { TABLE_NAME: 'table', FILES_BUCKET: 'files-bucket', REPLICA_BUCKET: 'replica-bucket' };

describe('webhook settings', () => {
  it('default to no loopback and a first retry after 10 s', () => {
    // act
    const config = parseConfig(REQUIRED);

    // assess
    expect(config.WEBHOOK_ALLOW_LOOPBACK).toBeUndefined();
    expect(config.WEBHOOK_RETRY_FIRST_DELAY_SECONDS).toBe(10);
    expect(config.WEBHOOK_QUEUE_URL).toBeUndefined();
  });

  it('allow loopback on local runs (serverless-offline, tests) and refuse it in a deployed function', () => {
    // act
    const offline = parseConfig({ ...REQUIRED, WEBHOOK_ALLOW_LOOPBACK: 'true', AWS_LAMBDA_FUNCTION_NAME: 'fn', IS_OFFLINE: 'true' });
    const test = parseConfig({ ...REQUIRED, WEBHOOK_ALLOW_LOOPBACK: 'true' });
    let deployed = '';
    try {
      parseConfig({ ...REQUIRED, WEBHOOK_ALLOW_LOOPBACK: 'true', AWS_LAMBDA_FUNCTION_NAME: 'fn' });
    } catch (error) {
      deployed = (error as Error).message;
    }

    // assess
    expect(offline.WEBHOOK_ALLOW_LOOPBACK).toBe(true);
    expect(test.WEBHOOK_ALLOW_LOOPBACK).toBe(true);
    expect(deployed).toContain('WEBHOOK_ALLOW_LOOPBACK: only for local runs, never in a deployed function');
    expect(parseConfig({ ...REQUIRED, WEBHOOK_ALLOW_LOOPBACK: '', AWS_LAMBDA_FUNCTION_NAME: 'fn' }).WEBHOOK_ALLOW_LOOPBACK).toBe(false);
  });

  it('refuses a retry delay that is not a positive whole number', () => {
    // assess
    expect(() => parseConfig({ ...REQUIRED, WEBHOOK_RETRY_FIRST_DELAY_SECONDS: '0' })).toThrow(/WEBHOOK_RETRY_FIRST_DELAY_SECONDS: must be a positive whole number/);
  });
});

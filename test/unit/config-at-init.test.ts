/**
 * A Lambda with a missing or malformed variable fails its init (the handler
 * module's import), naming the variable, instead of answering 500 later.
 * Each case loads a real handler module in a fresh Node process, as the Lambda
 * runtime does.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const LAMBDA_ENV = {
  PATH: process.env.PATH,
  AWS_LAMBDA_FUNCTION_NAME: 'storage-service-test-status',
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'storage-service-test',
  FILES_BUCKET: 'storage-service-test-files',
  REPLICA_BUCKET: 'storage-service-test-replica',
};

/** Loads `handler` (a path under functions/) in a child process with `env`. */
function loadHandler(handler: string, env: Record<string, string | undefined>) {
  const script = `require(${JSON.stringify(path.join(root, 'functions', handler))}); process.stdout.write('loaded');`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A fresh process compiles the handler's TypeScript (tsx): seconds on a busy machine.
describe('configuration at init', { timeout: 60_000 }, () => {
  it('loads with a complete environment', () => {
    // act
    const result = loadHandler('quantum/status/handler.ts', LAMBDA_ENV);

    // assess
    expect(result.stderr).not.toContain('Invalid service configuration');
    expect(result.stdout).toBe('loaded');
    expect(result.status).toBe(0);
  });

  it('fails the import when TABLE_NAME is missing, naming it', () => {
    // act
    const result = loadHandler('apillon/upload-request/handler.ts', { ...LAMBDA_ENV, TABLE_NAME: undefined });

    // assess
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('loaded');
    expect(result.stderr).toContain('Invalid service configuration: TABLE_NAME: required');
  });

  it('fails the import of an event function when a variable is malformed, naming it', () => {
    // act
    const result = loadHandler('events/object-created/handler.ts', { ...LAMBDA_ENV, S3_ENDPOINT: 'localhost:4569' });

    // assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Invalid service configuration: S3_ENDPOINT: must be an http(s) URL');
  });
});

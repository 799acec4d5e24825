/** The admin CLI's help and usage errors, spawned as a user runs it (no table needed for these). */
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';

function admin(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
    encoding: 'utf8',
    // Point at nothing: help and usage errors must not need the table.
    env: { ...process.env, TABLE_NAME: 'no-such-table', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('admin CLI', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the commands and exits 0', (flag) => {
    // act
    const result = admin(flag);

    // assess
    expect(result.status).toBe(0);
    for (const command of ['account', 'master-key', 'api-key', 'key']) expect(result.stdout).toContain(command);
    expect(result.stderr).toBe('');
  });

  it.each([
    [['account', '--help']],
    [['account', 'create', '--help']],
    [['api-key', 'create', '-h']],
    [['key', 'revoke', '--help']],
  ])('%j prints that command’s help and exits 0', (args) => {
    // act
    const result = admin(...args);

    // assess
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: admin /);
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['account', 'create'], /required option '--name <name>' not specified/],
    [['account', 'create', '--name', 'a', '--bogus'], /unknown option '--bogus'/],
    [['account', 'quota', 'acc', '10XB'], /Not a size: "10XB"/],
    [['api-key', 'create', 'acc', '--permissions', 'READ,FOO'], /Unknown permission "FOO"/],
    [['key', 'revoke'], /missing required argument 'credentialId'/],
    [['account'], /Usage: admin account/],
  ])('%j is a usage error that says what is wrong (exit 2)', (args, message) => {
    // act
    const result = admin(...args);

    // assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('admin CLI without its table', () => {
  it('names the endpoint it tried and DYNAMODB_PORT when DynamoDB Local does not answer there', async () => {
    // prepare: the local stack's settings (no TABLE_NAME), DynamoDB Local's port somewhere nothing listens
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const env: NodeJS.ProcessEnv = { ...process.env, DYNAMODB_PORT: String(port) };
    delete env.TABLE_NAME;
    delete env.DYNAMODB_ENDPOINT;

    // act
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'account', 'list'], { encoding: 'utf8', env, timeout: 60_000 });

    // assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Cannot reach the table storage-service-local at http://127.0.0.1:${port} (set by DYNAMODB_PORT`);
    expect(result.stderr).toMatch(/listens on another port, set DYNAMODB_PORT to it/);
  }, 60_000);

  it('names DYNAMODB_ENDPOINT when that is where it looked', () => {
    // act
    const result = admin('account', 'list');

    // assess: admin() points DYNAMODB_ENDPOINT at the discard port
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot reach the table no-such-table at http://127.0.0.1:9 (set by DYNAMODB_ENDPOINT)');
  }, 60_000);
});

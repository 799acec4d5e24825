/** The admin CLI's help and usage errors, spawned as a user runs it (no table needed for these). */
import { spawnSync } from 'node:child_process';
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

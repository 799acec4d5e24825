/** The admin CLI against a real table: --json output, exit 0 on success and 1 on a runtime failure. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnvironment, testServices } from '../support/services';

beforeAll(async () => {
  await testServices(); // provisions this file's table
});

function admin(...args: string[]) {
  const env = { ...process.env, ...testEnvironment() } as NodeJS.ProcessEnv;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('admin CLI on a table', () => {
  it('creates an account with --json and lists its keys (exit 0)', () => {
    // act
    const created = admin('account', 'create', '--name', 'cli-test', '--quota', '1MiB', '--json');
    const accountId = JSON.parse(created.stdout).accountId as string;
    const key = admin('api-key', 'create', accountId, '--permissions', 'READ', '--json');
    const keys = admin('key', 'list', accountId, '--json');

    // assess
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'cli-test', quotaBytes: 1024 * 1024 });
    expect(key.status).toBe(0);
    expect(JSON.parse(key.stdout)).toMatchObject({ accountId, permissions: [52] });
    expect(keys.status).toBe(0);
    expect(JSON.parse(keys.stdout)).toHaveLength(1);
  });

  it('exits 1 and names what is missing for an unknown account', () => {
    // act
    const result = admin('master-key', 'create', 'no-such-account', '--json');

    // assess
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stderr)).toEqual({ error: 'No account no-such-account.' });
  });
});

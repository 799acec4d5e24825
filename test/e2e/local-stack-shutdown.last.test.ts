/**
 * Ctrl-C stops every process the local stack started and frees its ports: checked on
 * the run's shared stack, after every other e2e file (project `e2e-last`, the last
 * `sequence.groupOrder` in vitest.config.mts), since it ends the stack.
 */
import { describe, expect, it } from 'vitest';
import { interruptSharedLocalStack, sharedLocalStack } from '../support/shared-local-stack';

describe('the local stack (npm start -- --in-memory), on Ctrl-C', () => {
  it('stops every process it started and frees its ports', async () => {
    // prepare
    const stack = await sharedLocalStack();
    const running = stack.processes().join('\n');
    if (process.platform === 'linux') {
      expect(running).toMatch(/java .*DynamoDBLocal/);
      expect(running).toMatch(/serverless offline/);
    }

    // act
    const report = await interruptSharedLocalStack();

    // assess
    expect(report.leftovers).toEqual([]);
    expect(report.busyPorts).toEqual([]);
    expect(report.exitCode === 0 || report.signal === 'SIGINT', `exit ${report.exitCode} ${report.signal}`).toBe(true);
  });
});

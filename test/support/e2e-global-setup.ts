/**
 * The e2e projects' global setup: ONE local stack (`npm start -- --in-memory`, see
 * test/support/local-stack.ts) for every e2e file of the run.
 *
 * It starts the stack and returns at once, without waiting for it: vitest runs every
 * project's global setup before any test, and the unit and integration groups (which run
 * first, `sequence.groupOrder` in vitest.config.mts) would otherwise wait for a start-up
 * that can overlap them. What the files need reaches them through `provide`/`inject`:
 * the ports, the marker of the run's processes, and a state file where this process
 * writes the banner's account and bucket once the stack is ready (or why it failed), and
 * npm's exit code and signal once it exits. `sharedLocalStack()` waits on that file.
 *
 * Ctrl-C is checked by a test of its own (test/e2e/local-stack-shutdown.last.test.ts, in
 * the last group), which interrupts this stack; the teardown here only stops whatever is
 * still running (every process of the run), as a safety net and when that file did not run.
 *
 * Both e2e projects list this file; the first to run starts the stack, the other reuses it
 * (a process-wide handle: each project loads its own copy of this module).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { launchLocalStack, startTimeoutMs, type LocalStackPorts } from './local-stack';

/** What every e2e file receives (`inject('localStack')`). */
export interface SharedLocalStackInfo {
  readonly baseUrl: string;
  readonly ports: LocalStackPorts;
  readonly marker: string;
  readonly processGroup: number;
  /** JSON, written when the stack is ready or failed: see `SharedLocalStackState`. */
  readonly stateFile: string;
  /** JSON `{code, signal}`, written when `npm start` exits. */
  readonly exitFile: string;
  /**
   * AWS_CALL_RECORD_DIR of the stack: each function appends its AWS calls to `<dir>/<function name>.jsonl`
   * (lib/store/aws-call-record.ts); the IAM test (test/e2e/iam-roles.last.test.ts) reads them.
   */
  readonly callRecordDir: string;
  readonly startTimeoutMs: number;
}

export type SharedLocalStackState =
  | { readonly ready: true; readonly accountId: string; readonly bucketUuid: string; readonly output: string; readonly startupMs: number }
  | { readonly ready: false; readonly error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: SharedLocalStackInfo;
  }
}

const HANDLE = Symbol.for('storage-service.e2e-shared-stack');
type Handle = { info: SharedLocalStackInfo; teardown: () => Promise<void> };

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const registry = globalThis as unknown as Record<symbol, Handle | undefined>;
  const existing = registry[HANDLE];
  if (existing) {
    project.provide('localStack', existing.info);
    return undefined;
  }
  // `AWS_CALL_RECORD_DIR=<dir> npx vitest run --project iam`: the IAM test alone, on the calls a run recorded before.
  const keptRecords = process.env.AWS_CALL_RECORD_DIR;
  if (project.name === 'iam' && keptRecords) {
    project.provide('localStack', { callRecordDir: keptRecords } as SharedLocalStackInfo);
    return undefined;
  }

  const directory = mkdtempSync(path.join(os.tmpdir(), 'storage-e2e-'));
  const stateFile = path.join(directory, 'state.json');
  const exitFile = path.join(directory, 'exit.json');
  const started = Date.now();
  const timeoutMs = startTimeoutMs();
  // AWS_CALL_RECORD_DIR (optional) keeps the recorded calls after the run, for `--project iam` alone later.
  const callRecordDir = keptRecords || path.join(directory, 'aws-calls');
  rmSync(callRecordDir, { recursive: true, force: true });
  // Webhook retries 1 s, then 5 s (the schedule scaled down, lib/core/webhooks/retry-schedule.ts): test/e2e/webhooks.test.ts.
  const launched = await launchLocalStack({ timeoutMs, env: { AWS_CALL_RECORD_DIR: callRecordDir, WEBHOOK_RETRY_FIRST_DELAY_SECONDS: '1' } });
  void launched.exited.then((outcome) => writeFileSync(exitFile, JSON.stringify(outcome)));
  const ready = launched.ready.then(
    (stack) => {
      const state: SharedLocalStackState = { ready: true, accountId: stack.accountId, bucketUuid: stack.bucketUuid, output: stack.output(), startupMs: Date.now() - started };
      writeFileSync(stateFile, JSON.stringify(state));
      if (process.env.TEST_VERBOSE === '1') process.stdout.write(`[test] local stack up in ${state.startupMs} ms on ${stack.baseUrl}\n`);
      return stack;
    },
    (error: Error) => {
      const state: SharedLocalStackState = { ready: false, error: error.message };
      writeFileSync(stateFile, JSON.stringify(state));
      return undefined;
    },
  );

  const info: SharedLocalStackInfo = {
    baseUrl: launched.baseUrl,
    ports: launched.ports,
    marker: launched.marker,
    processGroup: launched.processGroup,
    stateFile,
    exitFile,
    callRecordDir,
    startTimeoutMs: timeoutMs,
  };
  const teardown = async () => {
    const stack = await ready;
    await stack?.stop();
    rmSync(directory, { recursive: true, force: true });
    registry[HANDLE] = undefined;
  };
  registry[HANDLE] = { info, teardown };
  project.provide('localStack', info);
  return teardown;
}

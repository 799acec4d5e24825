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

/**
 * A second stack for test/e2e/saturation.test.ts (a pool of 2 workers and a queue of 2, so a burst is past its
 * capacity). It is launched once the shared stack is up (their builds would compete for the CPU), in the
 * background during the unit and integration groups, so the e2e group does not wait for its start-up. What a
 * file needs (ports, marker, process group) is written to `stateFile` when it is ready: see `BackgroundStackState`.
 */
export interface BackgroundStackInfo {
  readonly stateFile: string;
  readonly exitFile: string;
  readonly startTimeoutMs: number;
}

export type BackgroundStackState =
  | (Extract<SharedLocalStackState, { ready: true }> & { readonly baseUrl: string; readonly ports: LocalStackPorts; readonly marker: string; readonly processGroup: number })
  | { readonly ready: false; readonly error: string };

/** The saturation stack's pool bounds (lib/local/lambda-pool.ts reads them). */
export const SATURATION_STACK_ENV = { LOCAL_LAMBDA_WORKERS: '2', LOCAL_LAMBDA_QUEUE: '2' } as const;

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: SharedLocalStackInfo;
    saturationStack: BackgroundStackInfo;
  }
}

const HANDLE = Symbol.for('storage-service.e2e-shared-stack');
type Handle = { info: SharedLocalStackInfo; saturation: BackgroundStackInfo; teardown: () => Promise<void> };

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const registry = globalThis as unknown as Record<symbol, Handle | undefined>;
  const existing = registry[HANDLE];
  if (existing) {
    project.provide('localStack', existing.info);
    project.provide('saturationStack', existing.saturation);
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

  const saturation: BackgroundStackInfo = { stateFile: path.join(directory, 'saturation-state.json'), exitFile: path.join(directory, 'saturation-exit.json'), startTimeoutMs: 2 * timeoutMs };
  // Launched after the shared stack is ready (or failed), never at the same time.
  const saturationStack = ready.then(async () => {
    const began = Date.now();
    const second = await launchLocalStack({ timeoutMs, env: { ...SATURATION_STACK_ENV } });
    void second.exited.then((outcome) => writeFileSync(saturation.exitFile, JSON.stringify(outcome)));
    return second.ready.then(
      (stack) => {
        const state: BackgroundStackState = {
          ready: true,
          accountId: stack.accountId,
          bucketUuid: stack.bucketUuid,
          output: stack.output(),
          startupMs: Date.now() - began,
          baseUrl: stack.baseUrl,
          ports: stack.ports,
          marker: second.marker,
          processGroup: second.processGroup,
        };
        writeFileSync(saturation.stateFile, JSON.stringify(state));
        return stack;
      },
      (error: Error) => {
        writeFileSync(saturation.stateFile, JSON.stringify({ ready: false, error: error.message } satisfies BackgroundStackState));
        return undefined;
      },
    );
  });

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
    await (await saturationStack)?.stop();
    rmSync(directory, { recursive: true, force: true });
    registry[HANDLE] = undefined;
  };
  registry[HANDLE] = { info, saturation, teardown };
  project.provide('localStack', info);
  project.provide('saturationStack', saturation);
  return teardown;
}

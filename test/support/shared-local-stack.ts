/**
 * Inside an e2e file: the run's one shared local stack, started by the global setup
 * (test/support/e2e-global-setup.ts), reached through `inject('localStack')`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { BackgroundStackState, SharedLocalStackInfo, SharedLocalStackState } from './e2e-global-setup';
import { delay, interruptRun, localStackClient, type LocalStack, type StopReport } from './local-stack';

/**
 * The run's shared stack (test/support/e2e-global-setup.ts), from inside an e2e file:
 * waits until it is ready (up to its start-up timeout), then answers as `startLocalStack`
 * would, without `stop` (the global setup owns the stack; see `interruptSharedLocalStack`).
 */
export async function sharedLocalStack(): Promise<Omit<LocalStack, 'stop'>> {
  const info = sharedInfo();
  const state = await waitForFile<SharedLocalStackState>(info.stateFile, info.startTimeoutMs + 10_000, 'the shared local stack to start');
  if (!state.ready) throw new Error(state.error);
  return localStackClient({
    baseUrl: info.baseUrl,
    ports: info.ports,
    marker: info.marker,
    accountId: state.accountId,
    bucketUuid: state.bucketUuid,
    output: () => state.output,
  });
}

/**
 * The saturation stack (a pool of 2 workers, a queue of 2; test/support/e2e-global-setup.ts), from inside
 * test/e2e/saturation.test.ts: waits until it is ready, then answers as `startLocalStack` would; `stop` is
 * Ctrl-C to it (`interruptRun`), whose report says whether anything of it was left running.
 */
export async function saturationLocalStack(): Promise<LocalStack> {
  const info = inject('saturationStack');
  if (!info) throw new Error('No saturation stack: run test/e2e/saturation.test.ts through the e2e project (test/support/e2e-global-setup.ts).');
  const state = await waitForFile<BackgroundStackState>(info.stateFile, info.startTimeoutMs + 10_000, 'the saturation stack to start');
  if (!state.ready) throw new Error(state.error);
  let stopping: Promise<StopReport> | undefined;
  return {
    ...localStackClient({ baseUrl: state.baseUrl, ports: state.ports, marker: state.marker, accountId: state.accountId, bucketUuid: state.bucketUuid, output: () => state.output }),
    stop: () =>
      (stopping ??= interruptRun({
        processGroup: state.processGroup,
        marker: state.marker,
        ports: state.ports,
        exited: waitForFile<{ code: number | null; signal: NodeJS.Signals | null }>(info.exitFile, 60_000, 'the saturation stack to exit'),
      })),
  };
}

/** Ctrl-C to the shared stack, as a developer's terminal sends it: see `interruptRun`. */
export async function interruptSharedLocalStack(): Promise<StopReport> {
  const info = sharedInfo();
  return interruptRun({
    processGroup: info.processGroup,
    marker: info.marker,
    ports: info.ports,
    exited: waitForFile<{ code: number | null; signal: NodeJS.Signals | null }>(info.exitFile, 60_000, '`npm start` to exit'),
  });
}

/** Where the shared stack's functions record their AWS calls (AWS_CALL_RECORD_DIR). */
export function sharedCallRecordDir(): string {
  return sharedInfo().callRecordDir;
}

function sharedInfo(): SharedLocalStackInfo {
  const info = inject('localStack');
  if (!info) throw new Error('No shared local stack: run e2e files through the e2e projects (test/support/e2e-global-setup.ts).');
  return info;
}

async function waitForFile<T>(file: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    await delay(100);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

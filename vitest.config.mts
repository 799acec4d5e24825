import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every error a route renders during the run is appended here (lib/http/error-record.ts): the test workers
// and the local stack (which inherits this process's environment) write it, the `errors` project checks it.
// One file per run; that project's global setup (test/errors/setup.ts) removes it at the end, and a run without that
// project leaves it until the next run removes the files of runs that are over (their process is gone).
process.env.ERROR_RECORD_FILE ??= path.join(os.tmpdir(), `storage-errors-${process.pid}.ndjson`);
for (const name of readdirSync(os.tmpdir())) {
  const pid = Number(/^storage-errors-(\d+)\.ndjson$/.exec(name)?.[1]);
  if (!pid || pid === process.pid) continue;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(os.tmpdir(), name), { force: true });
  }
}

/**
 * Three projects, one `vitest run` (`npm test`):
 * - unit: pure logic, no emulators (`npx vitest run test/unit` or `--project unit`);
 * - integration: handlers and stores against ONE DynamoDB Local and ONE s3rver that
 *   test/support/global-setup.ts starts for the whole run (each file gets its own table
 *   and buckets, see test/support/services.ts, so files run in parallel);
 * - e2e: the local stack exactly as the README starts it (`npm start -- --in-memory`), ONE
 *   stack for the run, shared by the e2e files; iam: the IAM test on the AWS calls they made;
 *   errors: each route's declared errors against the errors the run rendered;
 *   e2e-last: the stack's Ctrl-C check, after them.
 *
 * The projects repeat the shared options instead of `extends: true`, which would make
 * Vite load (and bundle) this file once more per project.
 */
const env = {
  // The SDK's default credential chain reads these; the emulators accept any value
  // (the same pair as LOCAL_CREDENTIALS in lib/local/dynamodb-local.ts).
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  // The SDK's "node >= 22 from 2027" notice, once per worker, is noise in test output.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Powertools Metrics would print an EMF line per invocation; the tests that read them enable it themselves.
  POWERTOOLS_METRICS_DISABLED: 'true',
  ERROR_RECORD_FILE: process.env.ERROR_RECORD_FILE,
};

export default defineConfig({
  test: {
    // The e2e global teardown may have to stop the shared stack (Ctrl-C, up to ~50 s on a busy machine).
    teardownTimeout: 60_000,
    projects: [
      {
        // Three workers on a 2-core machine: unit and integration files mostly wait on child processes
        // and the emulators, so more files in flight finish sooner (integration: 82 s against 109 s with one).
        test: { name: 'unit', env, include: ['test/unit/**/*.test.ts'], maxWorkers: 3 },
      },
      {
        // Global setup files load in vitest's main process through its internal `__vitest__`
        // environment, which resolves packages as for a browser: the AWS SDK then comes in as
        // hundreds of ESM files (dist-es) to transform, ~3 s. Resolving it as Node does (its
        // `main`, the CommonJS bundle) takes ~0.2 s. Only speed depends on this.
        environments: { __vitest__: { consumer: 'server', resolve: { mainFields: ['main'] } } },
        test: {
          name: 'integration',
          env,
          maxWorkers: 3,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // One local stack for every e2e file (test/support/e2e-global-setup.ts). It starts in
        // the background during the unit and integration groups; the e2e files run after them
        // (groupOrder 1), one at a time: they share the stack's account, whose quota figures
        // quantum-seed checks. Ctrl-C ends the stack, so its check runs last (groupOrder 2).
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/**/*.last.test.ts', 'test/e2e/**/*.iam.test.ts'],
          globalSetup: ['test/support/e2e-global-setup.ts'],
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
          // Waiting for the stack is part of the first hook: start-up timeout + margin.
          testTimeout: 120_000,
          hookTimeout: 330_000,
        },
      },
      {
        // The IAM test reads the AWS calls the e2e files made (test/e2e/roles.iam.test.ts), before Ctrl-C ends the stack.
        test: {
          name: 'iam',
          env,
          include: ['test/e2e/**/*.iam.test.ts'],
          globalSetup: ['test/support/e2e-global-setup.ts'],
          sequence: { groupOrder: 2 },
          maxWorkers: 1,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      {
        // Each route's declared errors against those the run rendered (test/errors/declared-errors.test.ts), after the
        // unit, integration and e2e files; a few seconds.
        test: {
          name: 'errors',
          env,
          include: ['test/errors/**/*.test.ts'],
          globalSetup: ['test/errors/setup.ts'],
          sequence: { groupOrder: 2 },
          maxWorkers: 1,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e-last',
          env,
          include: ['test/e2e/**/*.last.test.ts'],
          globalSetup: ['test/support/e2e-global-setup.ts'],
          sequence: { groupOrder: 3 },
          maxWorkers: 1,
          testTimeout: 330_000,
          hookTimeout: 330_000,
        },
      },
    ],
  },
});

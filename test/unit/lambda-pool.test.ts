/**
 * The local stack's Lambda pool (lib/local/lambda-pool.ts) with tiny handler files in a
 * temporary folder and the real worker script (lib/local/lambda-worker.ts, built with esbuild
 * as npm start builds it): the cap, reuse, eviction, timeouts, crashes, the queue's bounds
 * and per-function environments.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FunctionError,
  FunctionTimeoutError,
  LambdaPool,
  PoolBusyError,
  WorkerCrashError,
  type InvocationContextFields,
  type LocalPoolSettings,
  type PooledFunction,
} from '../../lib/local/lambda-pool';

let dir: string;
let workerScript: string;
const pools: LambdaPool[] = [];

/** Handler sources by file name (CommonJS, as the bundles are). */
const HANDLERS: Record<string, string> = {
  'echo.js': `let calls = 0;
exports.handler = async (event, context) => ({ event, calls: ++calls, functionName: context.functionName, remaining: context.getRemainingTimeInMillis(), threadId: require('node:worker_threads').threadId });`,
  'slow.js': `exports.handler = async (event) => { const startedAt = Date.now(); await new Promise((r) => setTimeout(r, event.ms ?? 200)); return { startedAt, endedAt: Date.now() }; };`,
  'spin.js': `let calls = 0;
exports.handler = async (event) => { calls += 1; if (event.spin) { for (;;) {} } return { calls }; };`,
  'crash.js': `exports.handler = async (event) => {
  if (event.how === 'uncaught') setTimeout(() => { throw new Error('boom outside the promise'); }, 1);
  if (event.how === 'exit') process.exit(3);
  if (event.how === 'oom') { const hog = []; for (;;) hog.push(new Array(100000).fill(hog.length)); }
  if (event.how === 'throw') { const error = new Error('bad input'); error.name = 'ValidationError'; throw error; }
  await new Promise((r) => setTimeout(r, 100));
  return { ok: true, threadId: require('node:worker_threads').threadId };
};`,
  'env.js': `exports.handler = async () => { const seen = { a: process.env.ONLY_A, b: process.env.ONLY_B, leaked: process.env.LEAKED, name: process.env.AWS_LAMBDA_FUNCTION_NAME }; process.env.LEAKED = 'from ' + process.env.AWS_LAMBDA_FUNCTION_NAME; return seen; };`,
  'callback.js': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback' }), 5); };`,
  'broken.js': `throw new Error('cannot load');`,
};

function fn(name: string, file: string, overrides: Partial<PooledFunction> = {}): PooledFunction {
  return { name, bundle: path.join(dir, file), handlerExport: 'handler', memorySizeMb: 128, timeoutMs: 5000, environment: { AWS_LAMBDA_FUNCTION_NAME: name }, ...overrides };
}

function pool(functions: PooledFunction[], settings: Partial<LocalPoolSettings> = {}): LambdaPool {
  const created = new LambdaPool(functions, {
    workerScript,
    maxWorkers: 2,
    maxQueued: 10,
    maxQueuedBytes: 1024 * 1024,
    maxQueueWaitMs: 10_000,
    idleTimeoutMs: 60_000,
    ...settings,
  });
  pools.push(created);
  return created;
}

const context = (functionName: string): InvocationContextFields => ({
  awsRequestId: 'req-1',
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '128',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
});

const invoke = (target: LambdaPool, name: string, event: unknown = {}) => target.invoke(name, event, context(name));
const httpEvent = (extra: object = {}) => ({ rawPath: '/status', requestContext: { http: { method: 'GET' } }, ...extra });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pool-'));
  for (const [file, source] of Object.entries(HANDLERS)) writeFileSync(path.join(dir, file), source);
  workerScript = path.join(dir, 'lambda-worker.js');
  buildSync({ entryPoints: [path.resolve(__dirname, '../../lib/local/lambda-worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerScript, logLevel: 'error' });
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local Lambda pool', () => {
  it('runs the handler in a worker with the Lambda context, and reuses that warm worker', async () => {
    // prepare
    const target = pool([fn('echo', 'echo.js')]);

    // act
    const first = (await invoke(target, 'echo', { hello: 'world' })) as Record<string, unknown>;
    const second = (await invoke(target, 'echo')) as Record<string, unknown>;

    // assess
    expect(first).toMatchObject({ event: { hello: 'world' }, calls: 1, functionName: 'echo' });
    expect(first.remaining).toBeGreaterThan(4000);
    expect(first.remaining).toBeLessThanOrEqual(5000);
    expect(second).toMatchObject({ calls: 2, threadId: first.threadId });
    expect(target.stats()).toMatchObject({ workers: 1, started: 1 });
  });

  it('answers callback-style handlers too', async () => {
    // prepare
    const target = pool([fn('callback', 'callback.js')]);

    // act
    const result = await invoke(target, 'callback');

    // assess
    expect(result).toEqual({ via: 'callback' });
  });

  it('never runs more than maxWorkers invocations at once; the rest wait their turn and all finish', async () => {
    // prepare
    const target = pool([fn('slow', 'slow.js')], { maxWorkers: 2 });

    // act
    const runs = (await Promise.all(Array.from({ length: 5 }, () => invoke(target, 'slow', { ms: 150 })))) as { startedAt: number; endedAt: number }[];

    // assess
    const overlapAt = (at: number) => runs.filter((run) => run.startedAt <= at && at < run.endedAt).length;
    expect(Math.max(...runs.map((run) => overlapAt(run.startedAt)))).toBeLessThanOrEqual(2);
    expect(target.stats()).toMatchObject({ workers: 2, started: 2, queued: 0, refused: 0 });
  });

  it('ends the least recently used idle worker of another function to make room', async () => {
    // prepare
    const target = pool([fn('echo', 'echo.js'), fn('slow', 'slow.js')], { maxWorkers: 1 });
    await invoke(target, 'echo');

    // act
    await invoke(target, 'slow', { ms: 1 });
    const echoAgain = (await invoke(target, 'echo')) as { calls: number };

    // assess
    expect(echoAgain.calls).toBe(1); // a new worker: the first one was ended for `slow`
    expect(target.stats()).toMatchObject({ workers: 1, started: 3, ended: 2 });
  });

  it('terminates a worker that runs past its timeout and fails the invocation as Lambda does; the next one gets a new worker', async () => {
    // prepare
    const target = pool([fn('spin', 'spin.js', { timeoutMs: 300 })]);
    await invoke(target, 'spin');

    // act
    const timedOut = invoke(target, 'spin', { spin: true });

    // assess
    await expect(timedOut).rejects.toThrow(FunctionTimeoutError);
    await expect(timedOut).rejects.toThrow('Task timed out after 0.30 seconds');
    await expect(invoke(target, 'spin')).resolves.toEqual({ calls: 1 });
    expect(target.stats()).toMatchObject({ timedOut: 1, started: 2 });
  });

  it.each([
    ['an uncaught exception', 'uncaught', 128],
    ['process.exit()', 'exit', 128],
    ['running out of its memorySize', 'oom', 16],
  ])('fails the invocation whose worker dies of %s and replaces the worker', async (_what, how, memorySizeMb) => {
    // prepare
    const target = pool([fn('crash', 'crash.js', { memorySizeMb })]);
    const before = (await invoke(target, 'crash')) as { threadId: number };

    // act
    const crashed = invoke(target, 'crash', { how });

    // assess
    await expect(crashed).rejects.toThrow(WorkerCrashError);
    const after = (await invoke(target, 'crash')) as { ok: boolean; threadId: number };
    expect(after.ok).toBe(true);
    expect(after.threadId).not.toBe(before.threadId);
    expect(target.stats().crashed).toBe(1);
  });

  it("reports the function's own error and keeps its warm worker", async () => {
    // prepare
    const target = pool([fn('crash', 'crash.js')]);

    // act
    const failed = invoke(target, 'crash', { how: 'throw' }).catch((error: unknown) => error);

    // assess
    const error = (await failed) as FunctionError;
    expect(error).toBeInstanceOf(FunctionError);
    expect(error.serialized).toMatchObject({ errorType: 'ValidationError', errorMessage: 'bad input' });
    await invoke(target, 'crash');
    expect(target.stats()).toMatchObject({ started: 1, crashed: 0 });
  });

  it('fails every invocation of a function whose bundle cannot load, without taking the pool down', async () => {
    // prepare
    const target = pool([fn('broken', 'broken.js'), fn('echo', 'echo.js')]);

    // act
    const failed = invoke(target, 'broken');

    // assess
    await expect(failed).rejects.toThrow('cannot load');
    await expect(invoke(target, 'echo')).resolves.toMatchObject({ calls: 1 });
  });

  it('gives each function its own environment: nothing one sets is seen by another or by the pool', async () => {
    // prepare
    const target = pool([
      fn('fn-a', 'env.js', { environment: { AWS_LAMBDA_FUNCTION_NAME: 'fn-a', ONLY_A: 'a' } }),
      fn('fn-b', 'env.js', { environment: { AWS_LAMBDA_FUNCTION_NAME: 'fn-b', ONLY_B: 'b' } }),
    ]);

    // act
    const a1 = await invoke(target, 'fn-a');
    const b = await invoke(target, 'fn-b');
    const a2 = await invoke(target, 'fn-a');

    // assess
    expect(a1).toEqual({ a: 'a', name: 'fn-a' });
    expect(b).toEqual({ b: 'b', name: 'fn-b' });
    expect(a2).toEqual({ a: 'a', leaked: 'from fn-a', name: 'fn-a' }); // its own warm worker remembers
    expect(process.env.LEAKED).toBeUndefined();
    expect(process.env.ONLY_A).toBeUndefined();
  });

  it('refuses an invocation past the queue bound by count, and runs the queued ones', async () => {
    // prepare
    const target = pool([fn('slow', 'slow.js')], { maxWorkers: 1, maxQueued: 2 });
    const running = invoke(target, 'slow', { ms: 300 });
    const queued = [invoke(target, 'slow', { ms: 1 }), invoke(target, 'slow', { ms: 1 })];

    // act
    const refused = invoke(target, 'slow', { ms: 1 }).catch((error: unknown) => error);

    // assess
    const error = (await refused) as PoolBusyError;
    expect(error).toBeInstanceOf(PoolBusyError);
    expect(error.reason).toBe('queue-full');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await expect(Promise.all([running, ...queued])).resolves.toHaveLength(3);
    expect(target.stats()).toMatchObject({ refused: 1, queued: 0, queuedBytes: 0 });
  });

  it('refuses an invocation past the queue bound by bytes, but always takes one into an empty queue', async () => {
    // prepare
    const target = pool([fn('slow', 'slow.js')], { maxWorkers: 1, maxQueuedBytes: 1000 });
    const running = invoke(target, 'slow', { ms: 200 });
    const big = invoke(target, 'slow', { ms: 1, padding: 'x'.repeat(1500) });

    // act
    const refused = invoke(target, 'slow', { ms: 1, padding: 'y'.repeat(10) }).catch((error: unknown) => error);

    // assess
    expect(((await refused) as PoolBusyError).reason).toBe('queue-bytes');
    await expect(Promise.all([running, big])).resolves.toHaveLength(2);
  });

  it('refuses an HTTP event that waited maxQueueWaitMs, while other events keep waiting', async () => {
    // prepare
    const target = pool([fn('slow', 'slow.js')], { maxWorkers: 1, maxQueueWaitMs: 100 });
    const running = invoke(target, 'slow', { ms: 400 });

    // act
    const http = invoke(target, 'slow', httpEvent({ ms: 1 })).catch((error: unknown) => error);
    const sqs = invoke(target, 'slow', { Records: [], ms: 1 });

    // assess
    expect(((await http) as PoolBusyError).reason).toBe('queue-wait');
    await expect(sqs).resolves.toMatchObject({ startedAt: expect.any(Number) });
    await running;
  });

  it('ends idle workers after idleTimeoutMs', async () => {
    // prepare
    const target = pool([fn('echo', 'echo.js')], { idleTimeoutMs: 200 });
    await invoke(target, 'echo');

    // act
    await new Promise((resolve) => setTimeout(resolve, 800));

    // assess
    expect(target.stats()).toMatchObject({ workers: 0, ended: 1 });
  });

  it('rejects an unknown function, and everything once closed', async () => {
    // prepare
    const target = pool([fn('echo', 'echo.js')]);

    // act
    await target.close();

    // assess
    await expect(invoke(target, 'nope')).rejects.toThrow('No function named nope');
    await expect(invoke(target, 'echo')).rejects.toThrow(PoolBusyError);
  });
});

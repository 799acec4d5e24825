/**
 * The local stack's Lambda "containers": a capped pool of worker threads, each bound to
 * ONE function with that function's environment and memory limit, running one
 * invocation at a time, as Lambda runs a function's containers.
 *
 * - At most `maxWorkers` workers in total. An invocation takes an idle worker of its
 *   function (the most recently used: warm), else a new one while the cap allows, else the
 *   least recently used idle worker of another function is ended to make room.
 * - Each worker gets `resourceLimits.maxOldGenerationSizeMb` = the function's memorySize
 *   (Lambda's limit), its own `process.env` (the function's environment) and its bundle.
 * - A function that runs past its timeout has its worker terminated (as Lambda ends the
 *   sandbox) and the invocation fails with Lambda's "Task timed out" error. A worker that
 *   dies (uncaught error, out of memory, process.exit) fails its invocation and is replaced
 *   on demand; the pool's own process never dies of it.
 * - Idle workers are ended after `idleTimeoutMs`.
 * - Invocations that find every worker busy wait in ONE FIFO queue, bounded by count
 *   (`maxQueued`) and by the JSON bytes of the queued events (`maxQueuedBytes`; an event
 *   that finds the queue empty is always taken). Past either bound, and for HTTP events
 *   after `maxQueueWaitMs` in the queue, the invocation is refused with `PoolBusyError`
 *   (the offline plugin answers HTTP with 503 + Retry-After; an SQS batch fails as a whole
 *   and is delivered again).
 *
 * The worker's side is lib/local/lambda-worker.ts.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** One function the pool runs. */
export interface PooledFunction {
  /** The function's name on AWS (`storage-service-local-objectCreated`): AWS_LAMBDA_FUNCTION_NAME. */
  readonly name: string;
  /** Absolute path of its built bundle (CommonJS). */
  readonly bundle: string;
  /** The handler's export in the bundle (`handler`, or a dotted path). */
  readonly handlerExport: string;
  /** MB: the worker's old-generation heap cap, as Lambda's memorySize caps the function. */
  readonly memorySizeMb: number;
  /** ms: past it the worker is terminated and the invocation fails. */
  readonly timeoutMs: number;
  /** The function's whole environment (the worker's `process.env`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Load the bundle's source maps (the function's NODE_OPTIONS has --enable-source-maps). */
  readonly sourceMaps?: boolean;
}

export interface LambdaPoolOptions extends LocalPoolSettings {
  /** Absolute path of the built worker script (lib/local/lambda-worker.ts as JS). */
  readonly workerScript: string;
  /** The clock, ms (tests pass their own). */
  readonly now?: () => number;
}

/** The Lambda context fields an invocation carries to its worker (the methods are rebuilt there). */
export interface InvocationContextFields {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly clientContext?: unknown;
  readonly identity?: unknown;
}

/** A function error as Lambda reports it. */
export interface SerializedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];
}

/** What the worker script receives as `workerData`. */
export interface WorkerData {
  readonly bundle: string;
  readonly handlerExport: string;
  readonly sourceMaps: boolean;
}

export interface WorkerRequest {
  readonly id: number;
  readonly event: unknown;
  readonly context: InvocationContextFields;
  /** ms the function may run (its context's getRemainingTimeInMillis counts down from it). */
  readonly timeoutMs: number;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: SerializedError };

/** The function's own error (thrown or passed to its callback), as Lambda reports it. */
export class FunctionError extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.errorMessage);
    this.name = serialized.errorType;
  }
}

/** The invocation ran past the function's timeout; its worker was terminated. */
export class FunctionTimeoutError extends Error {
  constructor(timeoutMs: number) {
    // Lambda's own wording (the sandbox ends: errorType Sandbox.Timedout).
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/** The worker died during the invocation (uncaught error, out of memory, exit) or could not load the bundle. */
export class WorkerCrashError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Runtime.ExitError';
  }
}

/** Every worker is busy and the queue is full (or the event waited too long): the invocation was not run. */
export class PoolBusyError extends Error {
  constructor(
    readonly reason: 'queue-full' | 'queue-bytes' | 'queue-wait',
    /** Seconds after which a retry may find room (the Retry-After of a 503). */
    readonly retryAfterSeconds: number,
  ) {
    super(`The local stack is saturated (${reason}): every worker is busy; try again in ${retryAfterSeconds} s`);
    this.name = 'TooManyRequestsException';
  }
}

/** Counters for benches and the console. */
export interface PoolStats {
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
  readonly queuedBytes: number;
  readonly started: number;
  readonly ended: number;
  readonly refused: number;
  readonly timedOut: number;
  readonly crashed: number;
}

interface PoolWorker {
  readonly fn: PooledFunction;
  readonly thread: Worker;
  /** Resolves when the bundle is loaded (init done); rejects when init failed. */
  readonly ready: Promise<void>;
  job?: Job;
  lastUsedAt: number;
  ended: boolean;
}

interface Job {
  readonly id: number;
  readonly fn: PooledFunction;
  readonly event: unknown;
  readonly context: InvocationContextFields;
  readonly bytes: number;
  readonly queuedAt: number;
  readonly http: boolean;
  /** ms: when its worker took it (after init). */
  startedAt?: number;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** The local Lambda pool's bounds (lib/local/lambda-pool.ts), from the environment `npm start` runs in. */
export interface LocalPoolSettings {
  /** Worker threads alive at once, every function together (LOCAL_LAMBDA_WORKERS, default 6). */
  readonly maxWorkers: number;
  /** Invocations waiting for a worker (LOCAL_LAMBDA_QUEUE, default 64). */
  readonly maxQueued: number;
  /** Bytes of the events waiting for a worker (LOCAL_LAMBDA_QUEUE_MB, default 16 MiB). */
  readonly maxQueuedBytes: number;
  /** ms an HTTP request may wait for a worker before its 503 (LOCAL_LAMBDA_QUEUE_WAIT_SECONDS, default 10 s). */
  readonly maxQueueWaitMs: number;
  /** ms an idle worker is kept (LOCAL_LAMBDA_IDLE_SECONDS, default 30 s). */
  readonly idleTimeoutMs: number;
}

/** The pool's bounds from `env`; throws a clear error for a variable that is set but not a positive number. */
export function localPoolSettings(env: Record<string, string | undefined> = process.env): LocalPoolSettings {
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
    return value;
  };
  return {
    maxWorkers: Math.floor(positive('LOCAL_LAMBDA_WORKERS', 6)),
    maxQueued: Math.floor(positive('LOCAL_LAMBDA_QUEUE', 64)),
    maxQueuedBytes: Math.floor(positive('LOCAL_LAMBDA_QUEUE_MB', 16) * 1024 * 1024),
    maxQueueWaitMs: positive('LOCAL_LAMBDA_QUEUE_WAIT_SECONDS', 10) * 1000,
    idleTimeoutMs: positive('LOCAL_LAMBDA_IDLE_SECONDS', 30) * 1000,
  };
}

/** True for an API Gateway HTTP API (payload 2.0) or REST API event: a client waits on it. */
export function isHttpEvent(event: unknown): boolean {
  const candidate = event as { requestContext?: { http?: unknown; httpMethod?: unknown } } | null;
  return typeof candidate === 'object' && candidate !== null && (candidate.requestContext?.http !== undefined || candidate.requestContext?.httpMethod !== undefined);
}

/** The JSON size of an event, bytes: what a queued event holds in memory, near enough. */
function eventBytes(event: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(event) ?? '');
  } catch {
    return 0;
  }
}

export class LambdaPool {
  private readonly functions: ReadonlyMap<string, PooledFunction>;
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: Job[] = [];
  private queuedBytes = 0;
  private nextId = 1;
  private closed = false;
  private pumping = false;
  private readonly reaper: NodeJS.Timeout;
  private readonly now: () => number;
  private counters = { started: 0, ended: 0, refused: 0, timedOut: 0, crashed: 0 };
  /** ms, exponentially weighted over the invocations that ended (for Retry-After). */
  private averageDurationMs = 1000;

  /** `functions` by their AWS name (`storage-service-local-objectCreated`). */
  constructor(
    functions: readonly PooledFunction[],
    private readonly options: LambdaPoolOptions,
  ) {
    this.functions = new Map(functions.map((fn) => [fn.name, fn]));
    this.now = options.now ?? Date.now;
    this.reaper = setInterval(() => this.reapIdle(), Math.max(250, Math.min(options.idleTimeoutMs / 2, 5000)));
    this.reaper.unref();
  }

  /**
   * Runs `event` in a worker of the function named `functionName` and resolves with its
   * result. Rejects with FunctionError (the function failed), FunctionTimeoutError,
   * WorkerCrashError, PoolBusyError (refused: nothing ran) or an Error for an unknown function.
   */
  invoke(functionName: string, event: unknown, context: InvocationContextFields): Promise<unknown> {
    const fn = this.functions.get(functionName);
    if (!fn) return Promise.reject(new Error(`No function named ${functionName} in the local pool`));
    if (this.closed) return Promise.reject(new PoolBusyError('queue-full', 1));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, fn, event, context, bytes: 0, queuedAt: this.now(), http: isHttpEvent(event), resolve, reject };
      // FIFO: while others wait (every worker busy), a new invocation waits behind them.
      if (this.queue.length === 0 && this.tryDispatch(job)) return;
      const bytes = eventBytes(event);
      const refusal =
        this.queue.length >= this.options.maxQueued ? 'queue-full' : this.queue.length > 0 && this.queuedBytes + bytes > this.options.maxQueuedBytes ? 'queue-bytes' : undefined;
      if (refusal) {
        this.counters.refused += 1;
        reject(new PoolBusyError(refusal, this.retryAfterSeconds()));
        return;
      }
      const queued: Job = { ...job, bytes };
      if (queued.http) {
        queued.timer = setTimeout(() => this.expire(queued), this.options.maxQueueWaitMs);
        queued.timer.unref();
      }
      this.queue.push(queued);
      this.queuedBytes += bytes;
    });
  }

  stats(): PoolStats {
    let busy = 0;
    for (const worker of this.workers) if (worker.job) busy += 1;
    return { workers: this.workers.size, busy, queued: this.queue.length, queuedBytes: this.queuedBytes, ...this.counters };
  }

  /** Refuses what is queued, ends every worker (running invocations fail) and stops the reaper. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.timer);
      job.reject(new PoolBusyError('queue-full', 1));
    }
    this.queuedBytes = 0;
    await Promise.all([...this.workers].map((worker) => this.end(worker, new WorkerCrashError('The local Lambda pool was closed'))));
  }

  /**
   * A rough wait, seconds (1–30), until the queue ahead has drained: the queued invocations shared
   * by the workers, each taking the recent average duration.
   */
  private retryAfterSeconds(): number {
    const drainMs = (this.queue.length / Math.max(1, this.options.maxWorkers)) * this.averageDurationMs;
    return Math.min(30, Math.max(1, Math.ceil(drainMs / 1000)));
  }

  /** Starts `job` at once on a worker if one is free or can be made; false when it must wait. */
  private tryDispatch(job: Job): boolean {
    let worker: PoolWorker | undefined;
    for (const candidate of this.workers) {
      if (candidate.fn === job.fn && !candidate.job && !candidate.ended && (!worker || candidate.lastUsedAt > worker.lastUsedAt)) worker = candidate;
    }
    if (!worker) {
      if (this.workers.size >= this.options.maxWorkers) {
        let idlest: PoolWorker | undefined;
        for (const candidate of this.workers) {
          if (!candidate.job && !candidate.ended && (!idlest || candidate.lastUsedAt < idlest.lastUsedAt)) idlest = candidate;
        }
        if (!idlest) return false;
        void this.end(idlest);
      }
      worker = this.spawn(job.fn);
    }
    this.run(worker, job);
    return true;
  }

  private spawn(fn: PooledFunction): PoolWorker {
    const data: WorkerData = { bundle: fn.bundle, handlerExport: fn.handlerExport, sourceMaps: fn.sourceMaps === true };
    const thread = new Worker(this.options.workerScript, {
      workerData: data,
      env: { ...fn.environment },
      resourceLimits: { maxOldGenerationSizeMb: fn.memorySizeMb },
      // The worker's output goes to this process's stdout/stderr, like a container's to its log stream.
      stdout: false,
      stderr: false,
    });
    let settleReady: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
    ready.catch(() => undefined);
    const worker: PoolWorker = { fn, thread, ready, lastUsedAt: this.now(), ended: false };
    this.workers.add(worker);
    this.counters.started += 1;
    thread.on('message', (message: WorkerReply) => {
      if (message.type === 'ready') settleReady?.resolve();
      else if (message.type === 'init-error') {
        const error = new FunctionError(message.error);
        settleReady?.reject(error);
        void this.end(worker, error);
      } else this.finish(worker, message);
    });
    thread.on('error', (error) => {
      // An uncaught exception or the heap limit (ERR_WORKER_OUT_OF_MEMORY): the worker is gone.
      this.counters.crashed += 1;
      const crash = new WorkerCrashError(`${fn.name}: the worker died: ${error.message}`, { cause: error });
      settleReady?.reject(crash);
      void this.end(worker, crash);
    });
    thread.on('exit', (code) => {
      const crash = new WorkerCrashError(`${fn.name}: the worker exited (code ${code})`);
      settleReady?.reject(crash);
      if (!worker.ended) {
        if (worker.job) this.counters.crashed += 1;
        void this.end(worker, crash);
      }
    });
    return worker;
  }

  private run(worker: PoolWorker, job: Job): void {
    clearTimeout(job.timer); // its wait in the queue is over
    worker.job = job;
    worker.lastUsedAt = this.now();
    // The timeout counts from the end of init, as Lambda's does (init has its own limit there).
    worker.ready.then(
      () => {
        if (worker.job !== job || worker.ended) return;
        job.startedAt = this.now();
        job.timer = setTimeout(() => {
          this.counters.timedOut += 1;
          void this.end(worker, new FunctionTimeoutError(job.fn.timeoutMs));
        }, job.fn.timeoutMs);
        const request: WorkerRequest = { id: job.id, event: job.event, context: job.context, timeoutMs: job.fn.timeoutMs };
        try {
          worker.thread.postMessage(request);
        } catch (error) {
          // An event the structured clone cannot copy.
          this.settle(worker, job, new FunctionError({ errorType: 'Runtime.InvalidEvent', errorMessage: (error as Error).message, stackTrace: [] }));
        }
      },
      (error: Error) => {
        if (worker.job === job) this.settle(worker, job, error);
      },
    );
  }

  private finish(worker: PoolWorker, message: Extract<WorkerReply, { type: 'result' }>): void {
    const job = worker.job;
    if (!job || job.id !== message.id) return;
    if (message.ok) this.settle(worker, job, undefined, message.result);
    else this.settle(worker, job, new FunctionError(message.error));
  }

  /** Ends `job` on `worker` (which stays, idle) and hands the worker the next queued invocation. */
  private settle(worker: PoolWorker, job: Job, error?: Error, result?: unknown): void {
    clearTimeout(job.timer);
    if (job.startedAt !== undefined) recordInvocation(job, this.now() - job.startedAt, !error);
    if (job.startedAt !== undefined) this.averageDurationMs = 0.8 * this.averageDurationMs + 0.2 * (this.now() - job.startedAt);
    worker.job = undefined;
    worker.lastUsedAt = this.now();
    if (error) job.reject(error);
    else job.resolve(result);
    this.pump();
  }

  /** Terminates `worker`; its running invocation (if any) fails with `error`. */
  private async end(worker: PoolWorker, error: Error = new WorkerCrashError(`${worker.fn.name}: the worker was ended`)): Promise<void> {
    if (worker.ended) return;
    worker.ended = true;
    this.workers.delete(worker);
    this.counters.ended += 1;
    const job = worker.job;
    worker.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    this.pump();
    await worker.thread.terminate().catch(() => undefined);
  }

  /** Starts queued invocations, oldest first, while workers can be found for them. */
  private pump(): void {
    // Not re-entered: making room (ending an idle worker) pumps too, in the middle of a dispatch.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const job = this.queue[0]!;
        if (!this.tryDispatch(job)) return;
        this.queue.shift();
        this.queuedBytes -= job.bytes;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** An HTTP event that waited `maxQueueWaitMs`: refused (API Gateway would not wait much longer). */
  private expire(job: Job): void {
    const index = this.queue.indexOf(job);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.queuedBytes -= job.bytes;
    this.counters.refused += 1;
    job.reject(new PoolBusyError('queue-wait', this.retryAfterSeconds()));
  }

  private reapIdle(): void {
    const now = this.now();
    for (const worker of [...this.workers]) {
      if (!worker.job && now - worker.lastUsedAt >= this.options.idleTimeoutMs) void this.end(worker);
    }
  }
}

/** The file, in a function's AWS_CALL_RECORD_DIR, where the pool records each invocation it ran (not `.jsonl`: those are the AWS calls). */
export const INVOCATION_RECORD_FILE = 'lambda-invocations.ndjson';

/** One invocation the pool ran, as recorded in {@link INVOCATION_RECORD_FILE}. */
export interface RecordedInvocation {
  /** AWS_LAMBDA_FUNCTION_NAME. */
  readonly function: string;
  /** The function's configured memorySize, MB: with the duration, what Lambda bills (GB-s). */
  readonly memorySizeMb: number;
  /** ms from handing the event to the worker to its answer (init excluded, as Lambda's billed duration of a warm start). */
  readonly durationMs: number;
  /** Messages of an SQS event (the object-event path's batches); absent for other events. */
  readonly records?: number;
  readonly ok: boolean;
}

/**
 * Appends one line for an ended invocation to `<AWS_CALL_RECORD_DIR>/lambda-invocations.ndjson` when the
 * function's environment names a record directory (the cost bench and the e2e stack): Lambda invocations
 * and their duration at the configured memory, beside the AWS calls lib/store/aws-call-record.ts records.
 */
function recordInvocation(job: Job, durationMs: number, ok: boolean): void {
  const directory = job.fn.environment.AWS_CALL_RECORD_DIR;
  if (!directory) return;
  const records = (job.event as { Records?: { eventSource?: string }[] } | null)?.Records;
  const line: RecordedInvocation = {
    function: job.fn.name,
    memorySizeMb: job.fn.memorySizeMb,
    durationMs,
    ...(Array.isArray(records) && records[0]?.eventSource === 'aws:sqs' ? { records: records.length } : {}),
    ok,
  };
  mkdirSync(directory, { recursive: true });
  appendFileSync(path.join(directory, INVOCATION_RECORD_FILE), `${JSON.stringify(line)}\n`);
}

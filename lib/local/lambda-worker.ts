/**
 * One warm "container" of the local stack's Lambda pool (lib/local/lambda-pool.ts): a
 * worker thread bound to ONE function. It loads that function's bundle once (the init
 * phase), then runs one invocation at a time, as the Lambda runtime does. Its
 * `process.env` is the function's own environment (the pool passes it as the worker's
 * `env`), and its heap is capped at the function's memorySize (`resourceLimits`).
 *
 * Built to plain JS by the local stack's one esbuild pass (lib/local/function-build.ts).
 *
 * Messages: the pool sends `{ id, event, context, timeoutMs }`; the worker answers
 * `{ type: 'ready' }` once after init (or `{ type: 'init-error', error }` and exits), then
 * `{ type: 'result', id, ok: true, result }` or `{ type: 'result', id, ok: false, error }` per invocation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InvocationContextFields, SerializedError, WorkerData, WorkerReply, WorkerRequest } from './lambda-pool';

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: object, callback: Callback) => unknown;

const port = parentPort;
if (!port) throw new Error('lib/local/lambda-worker.ts runs only as a worker thread of the local Lambda pool.');
const data = workerData as WorkerData;

/** An error as Lambda reports a function error: errorType, errorMessage, stackTrace. */
function serializeError(error: unknown, fallbackType = 'Error'): SerializedError {
  if (error instanceof Error) {
    return { errorType: error.name || fallbackType, errorMessage: error.message, stackTrace: (error.stack ?? '').split('\n').slice(1).map((line) => line.trim()) };
  }
  return { errorType: fallbackType, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), stackTrace: [] };
}

const reply = (message: WorkerReply) => port.postMessage(message);

let handler: Handler;
try {
  if (data.sourceMaps) process.setSourceMapsEnabled(true);
  // The bundle is CommonJS (infra/esbuild.config.js); a plain require() is what the Lambda runtime does for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(data.bundle) as Record<string, unknown>;
  const exported = data.handlerExport.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], loaded);
  if (typeof exported !== 'function') throw Object.assign(new Error(`${data.bundle} does not export a function "${data.handlerExport}"`), { name: 'Runtime.HandlerNotFound' });
  handler = exported as Handler;
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'init-error', error: serializeError(error, 'Runtime.ImportModuleError') });
  process.exit(1);
}

/** Runs the handler once: async handlers resolve, callback handlers call back (whichever comes first). */
function invoke(event: unknown, fields: InvocationContextFields, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, result) => (error === undefined || error === null ? resolve(result) : reject(error));
    const context = {
      ...fields,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: callback,
      fail: (error: unknown) => callback(error ?? new Error('failed')),
      succeed: (result: unknown) => callback(null, result),
    };
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}

port.on('message', (request: WorkerRequest) => {
  invoke(request.event, request.context, request.timeoutMs).then(
    (result) => {
      try {
        reply({ type: 'result', id: request.id, ok: true, result });
      } catch (error) {
        // A result the structured clone cannot copy (a function, a class instance with one): Lambda would fail to serialize it too.
        reply({ type: 'result', id: request.id, ok: false, error: serializeError(error, 'Runtime.ResponseSerializationError') });
      }
    },
    (error: unknown) => reply({ type: 'result', id: request.id, ok: false, error: serializeError(error) }),
  );
});

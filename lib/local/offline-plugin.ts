/**
 * The Serverless plugin of the local stage (serverless.yml: custom.functionBuilder.local),
 * in place of serverless-esbuild: `npm start` has built every function already
 * (lib/local/function-build.ts, one esbuild pass, this file included), so nothing is
 * built or watched here. Before serverless-offline starts, it
 * - points serverless-offline at the shims (its `location`) and runs them in its own
 *   process (`useInProcess`): a shim hands the invocation to the pool below and returns
 *   its answer; the pool, not serverless-offline, enforces the timeouts (`noTimeout`);
 * - starts the pool (lib/local/lambda-pool.ts): at most LOCAL_LAMBDA_WORKERS worker
 *   threads, each bound to one function with that function's environment (as
 *   serverless-offline would give it: the provider's and the function's `environment`,
 *   Lambda's own variables, AWS_* of this process), its memorySize and its timeout.
 *
 * Past the pool's bounds an HTTP request is answered 503 SERVICE_BUSY with Retry-After in
 * its surface's error shape (lib/errors.ts, lib/http/render.ts); any other event fails (an
 * SQS batch comes back through the local queue).
 */
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../errors';
import { errorRecordFile, recordRenderedError } from '../http/error-record';
import { renderError } from '../http/render';
import { surfaceOfPath } from '../quantum/routes';
import { isHttpEvent, LambdaPool, localPoolSettings, PoolBusyError, type InvocationContextFields, type PooledFunction } from './lambda-pool';

/** The parts of the Serverless instance this plugin reads. */
interface ServerlessLike {
  readonly serviceDir?: string;
  readonly config: { readonly servicePath?: string; readonly serviceDir?: string };
  readonly service: {
    custom?: Record<string, unknown>;
    readonly provider: { readonly region?: string; readonly runtime?: string; readonly memorySize?: number; readonly timeout?: number; readonly environment?: Record<string, unknown> };
    getAllFunctions(): string[];
    getFunction(key: string): { readonly name?: string; readonly handler?: string; readonly memorySize?: number; readonly timeout?: number; readonly environment?: Record<string, unknown> };
  };
}

interface PluginLog {
  notice?: (message: string) => void;
  warning?: (message: string) => void;
}

/** The running pool (one per serverless-offline process), and the shims' function names by key. */
let running: { pool: LambdaPool; names: ReadonlyMap<string, string>; warn: (message: string) => void } | undefined;

/** Lambda's defaults where neither the function nor the provider sets them. */
const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_TIMEOUT_SECONDS = 6;

/** An environment value as Lambda holds it (a string); a CloudFormation reference has no local value. */
function environmentValue(functionKey: string, name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${functionKey}: environment variable ${name} has no local value (${JSON.stringify(value)}); set it in the environment of npm start`);
}

/** `fn`'s whole environment, as serverless-offline's LambdaFunction builds it (and a little closer to Lambda's). */
export function functionEnvironment(
  key: string,
  fn: ReturnType<ServerlessLike['service']['getFunction']>,
  provider: ServerlessLike['service']['provider'],
  processEnv: NodeJS.ProcessEnv,
  memorySizeMb: number,
): Record<string, string> {
  const name = fn.name ?? key;
  const region = provider.region ?? processEnv.AWS_REGION ?? 'us-east-1';
  const env: Record<string, string> = {};
  for (const [variable, value] of Object.entries(processEnv)) {
    if (variable.startsWith('AWS_') && value !== undefined) env[variable] = value;
  }
  Object.assign(env, {
    _HANDLER: fn.handler ?? '',
    AWS_EXECUTION_ENV: `AWS_Lambda_${provider.runtime ?? 'nodejs22.x'}`,
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${key}`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  });
  for (const [variable, value] of Object.entries(provider.environment ?? {})) env[variable] = environmentValue(key, variable, value);
  for (const [variable, value] of Object.entries(fn.environment ?? {})) env[variable] = environmentValue(key, variable, value);
  // The test run's record of rendered errors (lib/http/error-record.ts), when the stack runs under vitest.
  if (processEnv.ERROR_RECORD_FILE) env.ERROR_RECORD_FILE = processEnv.ERROR_RECORD_FILE;
  env.IS_OFFLINE = 'true';
  return env;
}

/** The context fields the worker needs (serverless-offline's context carries methods too, which do not cross threads). */
function contextFields(context: Partial<InvocationContextFields> | undefined, functionName: string): InvocationContextFields {
  return {
    awsRequestId: context?.awsRequestId ?? crypto.randomUUID(),
    functionName: context?.functionName ?? functionName,
    functionVersion: context?.functionVersion ?? '$LATEST',
    invokedFunctionArn: context?.invokedFunctionArn ?? `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(context?.memoryLimitInMB ?? ''),
    logGroupName: context?.logGroupName ?? `/aws/lambda/${functionName}`,
    logStreamName: context?.logStreamName ?? 'local',
    clientContext: context?.clientContext,
    identity: context?.identity,
  };
}

/** 503 SERVICE_BUSY in the request's surface shape, with Retry-After (RFC 9110 §10.2.3, seconds). */
export function busyResponse(event: APIGatewayProxyEventV2, requestId: string, error: PoolBusyError): APIGatewayProxyStructuredResultV2 {
  const rawPath = event.rawPath ?? '';
  const rendered = renderError(
    surfaceOfPath(rawPath),
    { requestId, path: rawPath },
    new AppError('serviceBusy', { headers: { 'retry-after': String(error.retryAfterSeconds), 'x-request-id': requestId } }),
  );
  const recordFile = errorRecordFile();
  if (recordFile) recordRenderedError(recordFile, { method: event.requestContext?.http?.method ?? '', path: rawPath, error: 'serviceBusy' });
  return event.requestContext?.http?.method === 'HEAD' ? { ...rendered, body: '' } : rendered;
}

/** Logs at most one line every 5 s, with how many were left out. */
function throttled(write: (message: string) => void): (message: string) => void {
  let lastAt = 0;
  let skipped = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastAt < 5000) {
      skipped += 1;
      return;
    }
    write(skipped > 0 ? `${message} (and ${skipped} more since the last notice)` : message);
    lastAt = now;
    skipped = 0;
  };
}

/**
 * The handler of the shim of function `key`: runs the invocation in the pool. An HTTP
 * event the pool refuses gets the 503; everything else the pool throws is the function's
 * failure, as serverless-offline reports a Lambda's.
 */
export function forward(key: string): (event: unknown, context?: Partial<InvocationContextFields>) => Promise<unknown> {
  return async (event, context) => {
    if (!running) throw new Error('The local Lambda pool is not running: start the stack with npm start (lib/local/offline-plugin.ts).');
    const name = running.names.get(key) ?? key;
    const fields = contextFields(context, name);
    try {
      return await running.pool.invoke(name, event, fields);
    } catch (error) {
      if (!(error instanceof PoolBusyError)) throw error;
      const stats = running.pool.stats();
      running.warn(`every worker is busy (${stats.busy} of ${stats.workers}, ${stats.queued} waiting): ${key} refused (${error.reason})`);
      if (isHttpEvent(event)) return busyResponse(event as APIGatewayProxyEventV2, fields.awsRequestId, error);
      throw error;
    }
  };
}

export default class LocalLambdaPoolPlugin {
  readonly hooks: Record<string, () => void | Promise<void>>;

  constructor(
    private readonly serverless: ServerlessLike,
    _options: unknown,
    private readonly utils?: { log?: PluginLog },
  ) {
    this.hooks = {
      'before:offline:start:init': () => this.start(),
      'before:offline:start:end': () => this.stop(),
    };
  }

  private start(): void {
    const { service } = this.serverless;
    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.serviceDir ?? this.serverless.config.servicePath ?? process.cwd();
    // Set before serverless-offline reads its options (its own offline:start:init hook).
    const offline = ((service.custom ??= {})['serverless-offline'] ??= {}) as Record<string, unknown>;
    offline.location = path.relative(serviceDir, path.join(__dirname, 'shims'));
    offline.useInProcess = true;
    offline.noTimeout = true;

    const names = new Map<string, string>();
    const functions: PooledFunction[] = service.getAllFunctions().map((key) => {
      const fn = service.getFunction(key);
      const name = fn.name ?? key;
      const handler = fn.handler ?? '';
      const module = handler.slice(0, handler.lastIndexOf('.'));
      const memorySizeMb = Number(fn.memorySize ?? service.provider.memorySize ?? DEFAULT_MEMORY_MB);
      const environment = functionEnvironment(key, fn, service.provider, process.env, memorySizeMb);
      names.set(key, name);
      return {
        name,
        bundle: path.join(__dirname, `${module}.js`),
        handlerExport: handler.slice(module.length + 1),
        memorySizeMb,
        timeoutMs: Number(fn.timeout ?? service.provider.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
        environment,
        sourceMaps: /--enable-source-maps\b/.test(environment.NODE_OPTIONS ?? ''),
      };
    });
    const settings = localPoolSettings(process.env);
    const log = this.utils?.log;
    const warn = throttled((message) => (log?.warning ?? console.warn)(`[local Lambda pool] ${message}`));
    running = { pool: new LambdaPool(functions, { ...settings, workerScript: path.join(__dirname, 'lambda-worker.js') }), names, warn };
    log?.notice?.(`local Lambda pool: ${functions.length} functions, at most ${settings.maxWorkers} workers, ${settings.maxQueued} waiting`);
  }

  private async stop(): Promise<void> {
    const pool = running?.pool;
    running = undefined;
    await pool?.close();
  }
}

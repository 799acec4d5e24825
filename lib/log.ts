import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/**
 * Structured JSON logger on Powertools for AWS Lambda (Logger): one line per entry,
 * carrying the request ids and, inside a Lambda invocation, Powertools' context
 * keys (`cold_start`, `function_name`, `function_request_id`, `xray_trace_id`),
 * never a secret (credential headers and secret-like fields are redacted wherever
 * they appear in the logged fields).
 *
 * Readable locally: `POWERTOOLS_DEV=true` (set by `npm start`) indents each entry;
 * `LOG_LEVEL` (or Lambda's own log-level control, AWS_LAMBDA_LOG_LEVEL) filters.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const SECRET_FIELD = /authorization|mkey|akey|masterkey|secret|token|password|signature|credential|^key$/i;
const MAX_DEPTH = 6;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /**
   * A child for one invocation: Powertools' Lambda context keys (cold start,
   * function name, Lambda request id) plus `fields` on every entry.
   */
  forInvocation(context: Context, fields: Record<string, unknown>): Logger;
}

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Too deep to inspect is too deep to log: never let an unread secret through.
  if (depth > MAX_DEPTH) return '[truncated]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redact(inner, depth + 1)]),
  );
}

/**
 * Our entry shape: `level` (lower case), `time` (ISO 8601), `message`, the Lambda
 * context keys when there is a context, then the logger's and the call's fields,
 * redacted. Powertools' `sampling_rate` is left out.
 */
class RedactingFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const lambda = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel.toLowerCase(),
        time: attributes.timestamp.toISOString(),
        message: attributes.message,
        // `service` is a Powertools key (its serviceName); unset, Powertools says "service_undefined".
        service: attributes.serviceName === 'service_undefined' ? undefined : attributes.serviceName,
        ...(lambda && {
          cold_start: lambda.coldStart,
          function_name: lambda.functionName,
          function_request_id: lambda.awsRequestId,
        }),
        xray_trace_id: attributes.xRayTraceId,
        ...(redact(additional) as LogAttributes),
      },
    });
  }
}

/** Powertools' Logger writing through `write` when one is given (tests capture lines). */
class StorageLogger extends PowertoolsLogger {
  constructor(
    options: ConstructorParameters<typeof PowertoolsLogger>[0],
    private readonly write?: (line: string) => void,
  ) {
    super(options);
  }

  protected override createLogger(options?: ConstructorParameters<typeof PowertoolsLogger>[0]): StorageLogger {
    return new StorageLogger(options, this.write);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.write) return super.printLog(logLevel, log);
    log.prepareForPrint();
    this.write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

function wrap(logger: StorageLogger): Logger {
  // Powertools treats a second argument that is an Error as `{ error }`; ours are always field objects.
  const fieldsOf = (fields?: Record<string, unknown>) => (fields ? [fields] : []);
  return {
    debug: (message, fields) => logger.debug(message, ...fieldsOf(fields)),
    info: (message, fields) => logger.info(message, ...fieldsOf(fields)),
    warn: (message, fields) => logger.warn(message, ...fieldsOf(fields)),
    error: (message, fields) => logger.error(message, ...fieldsOf(fields)),
    child: (fields) => wrap(logger.createChild({ persistentKeys: fields }) as StorageLogger),
    forInvocation: (context, fields) => {
      // addContext counts cold starts: the first invocation of this process gets cold_start true.
      logger.addContext(context);
      return wrap(logger.createChild({ persistentKeys: fields }) as StorageLogger);
    },
  };
}

/**
 * A logger at `level` whose entries carry `baseFields`; lines go to stdout
 * (Powertools' console) or to `write` when given.
 */
export function createLogger(
  level: LogLevel,
  baseFields: Record<string, unknown> = {},
  write?: (line: string) => void,
): Logger {
  const { service, ...keys } = baseFields;
  return wrap(
    new StorageLogger(
      {
        logLevel: level.toUpperCase() as 'INFO',
        serviceName: typeof service === 'string' ? service : undefined,
        persistentKeys: keys,
        logFormatter: new RedactingFormatter(),
      },
      write,
    ),
  );
}

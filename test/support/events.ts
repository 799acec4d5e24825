/**
 * Test-event factories: API Gateway HTTP API (payload v2) events and a Lambda
 * context, shaped as API Gateway delivers them (header names lower-cased), plus
 * `invoke`, which runs a route handler and parses its JSON body; Quantum route
 * events; and S3 event notifications wrapped in SQS events, as the object-events
 * queue delivers them. Test data (bytes, forms): test/support/data.ts.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';

export interface HttpEventInit {
  readonly method?: string;
  /** The route's path template (e.g. `/storage/{bucketUuid}/content`); defaults to `rawPath`. */
  readonly path?: string;
  /** The request path as the client sent it. */
  readonly rawPath?: string;
  readonly headers?: Record<string, string | undefined>;
  /** A string is sent as is; a Buffer is base64-encoded; anything else is JSON (with a JSON content type). */
  readonly body?: string | Buffer | object;
  readonly query?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
  /** Forces the flag (e.g. to send a base64 string body). */
  readonly isBase64Encoded?: boolean;
}

export function httpEvent(init: HttpEventInit = {}): APIGatewayProxyEventV2 {
  const method = (init.method ?? 'GET').toUpperCase();
  const rawPath = init.rawPath ?? init.path ?? '/';
  const headers: Record<string, string> = { host: 'api.test.local', 'user-agent': 'vitest' };
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }

  let body: string | undefined;
  let isBase64Encoded = init.isBase64Encoded ?? false;
  if (typeof init.body === 'string') {
    body = init.body;
  } else if (Buffer.isBuffer(init.body)) {
    body = init.body.toString('base64');
    isBase64Encoded = true;
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(body, isBase64Encoded ? 'base64' : 'utf8'));

  const rawQueryString = new URLSearchParams(init.query ?? {}).toString();
  const now = new Date();
  const routeKey = `${method} ${init.path ?? rawPath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    queryStringParameters: init.query && Object.keys(init.query).length > 0 ? { ...init.query } : undefined,
    pathParameters: init.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'testapi',
      domainName: headers.host!,
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded,
  };
}

/** A Lambda context as the runtime passes it (29 s left, like the functions' timeout). */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'storage-service-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:storage-service-test',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/storage-service-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** Base64 of `key:secret`, as an `Authorization` header value. */
export function basicAuthorization(apiKey: string, apiSecret: string): string {
  return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`, 'utf8').toString('base64')}`;
}

export type EventHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface InvokeResult<T = any> {
  readonly statusCode: number;
  /** Header names lower-cased. */
  readonly headers: Record<string, string>;
  /** The JSON body, parsed (undefined when the body is empty or not JSON). */
  readonly body: T;
  readonly rawBody: string;
  /** The body's bytes exactly (binary responses: rawBody is their UTF-8 reading). */
  readonly bodyBytes: Uint8Array;
}

/** Runs `handler` on `event` the way the Lambda runtime would and parses the JSON response. */
export async function invoke<T = any>(
  handler: EventHandler,
  event: APIGatewayProxyEventV2 | HttpEventInit,
): Promise<InvokeResult<T>> {
  const fullEvent = 'requestContext' in event ? event : httpEvent(event);
  const result = await handler(fullEvent, lambdaContext());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const rawBody = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  let body: unknown;
  try {
    body = rawBody === '' ? undefined : JSON.parse(rawBody);
  } catch {
    body = undefined;
  }
  const bodyBytes = new Uint8Array(Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
  return { statusCode: result.statusCode ?? 200, headers, body: body as T, rawBody, bodyBytes };
}

/**
 * A Quantum route event: `/API` + the route's path with its parameters filled
 * in, and `pathParameters` decoded, as API Gateway HTTP APIs hand them over.
 */
export function routeEvent(init: {
  method: string;
  route: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
}): APIGatewayProxyEventV2 {
  const params = init.params ?? {};
  const rawPath = `/API${init.route.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodePath(params[name] ?? ''))}`;
  return httpEvent({
    method: init.method,
    path: `/API${init.route}`,
    rawPath,
    headers: init.headers,
    body: init.body,
    pathParameters: Object.keys(params).length > 0 ? params : undefined,
  });
}

/** The path as a client would send it; a value no URL can carry (a lone surrogate) is left as it is. */
function encodePath(value: string): string {
  try {
    return value.split('/').map(encodeURIComponent).join('/');
  } catch {
    return value;
  }
}

// ---- S3 event notifications delivered through SQS (the object-events queue) ----

/** An S3 ObjectCreated event notification for `keys`, as S3 writes it (keys URL-encoded but for `/`, spaces as `+`). */
export function s3ObjectCreatedNotification(bucketName: string, keys: readonly string[], eventName = 'ObjectCreated:Put'): S3Event {
  return {
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName,
      userIdentity: { principalId: 'test' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'test', 'x-amz-id-2': 'test' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'test',
        bucket: { name: bucketName, ownerIdentity: { principalId: 'test' }, arn: `arn:aws:s3:::${bucketName}` },
        object: { key: key.split('/').map(encodeURIComponent).join('/').replace(/%20/g, '+'), size: 0, eTag: '', sequencer: '0' },
      },
    })),
  } as S3Event;
}

/** The message S3 sends once to a queue when a bucket's notification configuration is set. */
export function s3TestEvent(bucketName: string): Record<string, string> {
  return { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucketName, RequestId: 'test', HostId: 'test' };
}

/** One SQS record; `body` is sent as is when a string, as JSON otherwise. */
export function sqsRecord(body: string | object, init: { messageId?: string; receiveCount?: number } = {}): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: init.messageId ?? randomUUID(),
    receiptHandle: `receipt-${randomUUID()}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(init.receiveCount ?? 1),
      SentTimestamp: now,
      SenderId: 'AIDAS3',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:storage-service-test-object-events',
    awsRegion: 'us-east-1',
  };
}

/** An SQS event as Lambda's event source mapping delivers a batch. */
export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

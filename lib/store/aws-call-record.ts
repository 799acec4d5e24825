import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Records every AWS call a process makes as the IAM requests it amounts to, for the IAM test
 * (test/e2e/iam-roles.last.test.ts), which evaluates them against each function's role in the packaged
 * CloudFormation template. Switched on by `AWS_CALL_RECORD_DIR` (lib/config.ts: tests and the local
 * stack only); lib/store/clients.ts adds it to every client it builds.
 *
 * One JSON line per call ({@link RecordedCall}) is appended to `<dir>/<AWS_LAMBDA_FUNCTION_NAME>.jsonl`
 * (`process.jsonl` outside a function). The middleware sits in the `initialize` step, so a call is
 * recorded once whatever its retries, also when it then fails, and a presigned URL is recorded when it
 * is signed (the presigner runs the client's middleware stack up to signing): the function's
 * credentials sign it, so its role must allow what the URL does.
 */
export interface RecordedCall {
  /** The SDK client and command, e.g. `DynamoDB` `TransactWriteItems`. */
  readonly service: string;
  readonly operation: string;
  /** What IAM evaluates for this call (a transaction is one request per item). */
  readonly requests: readonly IamRequest[];
  /**
   * Only with `capacity` on ({@link recordAwsCalls}): DynamoDB's `ConsumedCapacity` of the call as
   * `ReturnConsumedCapacity: 'INDEXES'` returns it (one entry, or one per table for batches and
   * transactions): `CapacityUnits` in all, and per `Table` and per `GlobalSecondaryIndexes[name]`
   * (write calls: write units; reads: read units). Absent for a call that failed (DynamoDB returns no
   * capacity with an error, though a failed conditional write is billed) and for other services.
   */
  readonly consumedCapacity?: readonly ConsumedCapacityRecord[];
  /** Only with `capacity` on: the error name of a call that failed (e.g. `ConditionalCheckFailedException`). */
  readonly error?: string;
}

/** DynamoDB's ConsumedCapacity of one table, as returned with `ReturnConsumedCapacity: 'INDEXES'`. */
export interface ConsumedCapacityRecord {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly Table?: { readonly CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Readonly<Record<string, { readonly CapacityUnits?: number }>>;
}

/**
 * DynamoDB operations that take `ReturnConsumedCapacity`
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnConsumedCapacity
 * and the same parameter of each operation here).
 */
const CAPACITY_OPERATIONS = new Set([
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems',
]);

/** One IAM authorization: the action, the resource ARN, and the condition keys the request carries. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  /** Request context keys (e.g. `dynamodb:LeadingKeys`); values as IAM sees them. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * The account in recorded ARNs: the call carries none (the caller never asks STS), so the local one
 * (as in the local queue URLs); the IAM test maps it onto the template's.
 */
export const RECORDED_ACCOUNT = '000000000000';

export interface CallSettings {
  readonly region: string;
}

type Input = Record<string, any>;

/** DynamoDB's table ARN (and index ARN with `index`). */
const tableArn = (settings: CallSettings, table: string, index?: string) =>
  `arn:aws:dynamodb:${settings.region}:${RECORDED_ACCOUNT}:table/${table}${index ? `/index/${index}` : ''}`;

/** A DynamoDB attribute value, marshalled (`{S: 'x'}`, low-level client) or not (document client). */
const plain = (value: unknown): string | undefined => {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const typed = value as Record<string, unknown>;
    if (typeof typed.S === 'string') return typed.S;
    if (typeof typed.N === 'string') return typed.N;
  }
  return undefined;
};

/** Names the DynamoDB expression grammar reserves for functions and clauses (never attribute names here). */
const EXPRESSION_WORDS = new Set([
  'SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN',
  'attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size', 'if_not_exists', 'list_append',
].map((word) => word.toLowerCase()));

/**
 * The top-level attribute names a DynamoDB item request names (`dynamodb:Attributes`): its key, its
 * item, and the names in its expressions (`#n` resolved through ExpressionAttributeNames).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export function requestAttributes(input: Input): string[] {
  const names = new Set<string>([...Object.keys(input.Key ?? {}), ...Object.keys(input.Item ?? {})]);
  const aliases: Record<string, string> = input.ExpressionAttributeNames ?? {};
  for (const expression of [input.UpdateExpression, input.ConditionExpression, input.ProjectionExpression]) {
    if (typeof expression !== 'string') continue;
    // Paths are `name`, `#alias`, `a.b`, `a[0]`: the top-level name is the first segment; `:values` are not names.
    for (const [token] of expression.matchAll(/(?<![:\w#.\]])#?[A-Za-z_][\w]*/g)) {
      if (token.startsWith('#')) {
        if (aliases[token] !== undefined) names.add(aliases[token]!);
      } else if (!EXPRESSION_WORDS.has(token.toLowerCase())) names.add(token);
    }
  }
  return [...names].sort();
}

/** The partition key's value(s) of an item request (`dynamodb:LeadingKeys`): `pk` of infra/storage-table.json. */
function leadingKeys(input: Input): string[] {
  const value = plain((input.Key ?? input.Item)?.pk);
  return value === undefined ? [] : [value];
}

function dynamoItem(settings: CallSettings, action: string, input: Input): IamRequest {
  return {
    action: `dynamodb:${action}`,
    resource: tableArn(settings, input.TableName),
    context: { 'dynamodb:LeadingKeys': leadingKeys(input), 'dynamodb:Attributes': requestAttributes(input) },
  };
}

/** S3 ARNs: `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/key` (no region or account in S3 ARNs). */
const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** An SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, or an emulator's) as its ARN. */
export function queueArn(settings: CallSettings, queueUrl: string): string {
  const [account, name] = new URL(queueUrl).pathname.split('/').filter(Boolean).slice(-2);
  return `arn:aws:sqs:${settings.region}:${account ?? RECORDED_ACCOUNT}:${name}`;
}

/**
 * The IAM requests of one SDK call, as IAM evaluates them
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/): DynamoDB's batch calls are
 * their own actions on each table they name, a transaction's items are checked one by one as
 * PutItem/UpdateItem/DeleteItem/ConditionCheckItem (TransactGetItems as GetItem), a Query or Scan of an
 * index is on `table/<t>/index/<i>`; S3's HeadObject is s3:GetObject, CopyObject and UploadPartCopy are s3:GetObject on the
 * source and s3:PutObject on the target, HeadBucket and ListObjects(V2) are s3:ListBucket on the bucket;
 * SQS's SendMessageBatch is sqs:SendMessage. Throws for an operation it does not know, so a new call
 * cannot slip past the IAM test.
 */
export function iamRequestsOf(service: string, operation: string, input: Input, settings: CallSettings): IamRequest[] {
  switch (service) {
    case 'DynamoDB':
      switch (operation) {
        case 'GetItem':
        case 'PutItem':
        case 'UpdateItem':
        case 'DeleteItem':
          return [dynamoItem(settings, operation, input)];
        case 'Query':
        case 'Scan':
          return [{ action: `dynamodb:${operation}`, resource: tableArn(settings, input.TableName, input.IndexName) }];
        case 'BatchGetItem':
        case 'BatchWriteItem':
          return Object.keys(input.RequestItems ?? {}).map((table) => ({ action: `dynamodb:${operation}`, resource: tableArn(settings, table) }));
        case 'TransactWriteItems':
          return (input.TransactItems ?? []).map((item: Input) => {
            const [kind, request] = Object.entries(item)[0] as [string, Input];
            const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind];
            if (!action) throw new Error(`TransactWriteItems: unknown item kind ${kind}`);
            return dynamoItem(settings, action, request);
          });
        case 'TransactGetItems':
          return (input.TransactItems ?? []).map((item: Input) => dynamoItem(settings, 'GetItem', item.Get));
        case 'DescribeTable':
        case 'CreateTable':
        case 'UpdateTable':
        case 'UpdateTimeToLive':
          return [{ action: `dynamodb:${operation}`, resource: tableArn(settings, input.TableName) }];
      }
      break;
    case 'S3':
      switch (operation) {
        case 'GetObject':
        case 'HeadObject':
          return [{ action: 's3:GetObject', resource: objectArn(input.Bucket, input.Key) }];
        case 'PutObject':
        // Multipart uploads are authorised as s3:PutObject, but for their listing and abort (IAM's service reference).
        case 'CreateMultipartUpload':
        case 'UploadPart':
        case 'CompleteMultipartUpload':
          return [{ action: 's3:PutObject', resource: objectArn(input.Bucket, input.Key) }];
        case 'ListParts':
          return [{ action: 's3:ListMultipartUploadParts', resource: objectArn(input.Bucket, input.Key) }];
        case 'AbortMultipartUpload':
          return [{ action: 's3:AbortMultipartUpload', resource: objectArn(input.Bucket, input.Key) }];
        case 'ListMultipartUploads':
          return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn(input.Bucket) }];
        case 'DeleteObject':
          return [{ action: 's3:DeleteObject', resource: objectArn(input.Bucket, input.Key) }];
        // UploadPartCopy as CopyObject: s3:GetObject on the source, s3:PutObject on the target (IAM's service reference).
        case 'CopyObject':
        case 'UploadPartCopy': {
          // CopySource is `bucket/key`, URL-encoded (what the SDK sends in x-amz-copy-source).
          const source = decodeURIComponent(String(input.CopySource).replace(/^\//, ''));
          const slash = source.indexOf('/');
          return [
            { action: 's3:GetObject', resource: objectArn(source.slice(0, slash), source.slice(slash + 1)) },
            { action: 's3:PutObject', resource: objectArn(input.Bucket, input.Key) },
          ];
        }
        case 'HeadBucket':
        case 'ListObjects':
        case 'ListObjectsV2':
          return [{ action: 's3:ListBucket', resource: bucketArn(input.Bucket) }];
        case 'CreateBucket':
          return [{ action: 's3:CreateBucket', resource: bucketArn(input.Bucket) }];
      }
      break;
    case 'SQS':
      switch (operation) {
        case 'SendMessage':
        case 'SendMessageBatch':
          return [{ action: 'sqs:SendMessage', resource: queueArn(settings, input.QueueUrl) }];
      }
      break;
    case 'SSM':
      switch (operation) {
        case 'GetParameter':
          return [{ action: 'ssm:GetParameter', resource: `arn:aws:ssm:${settings.region}:${RECORDED_ACCOUNT}:parameter/${String(input.Name).replace(/^\//, '')}` }];
      }
      break;
  }
  throw new Error(`aws-call-record: no IAM mapping for ${service} ${operation}; add it to iamRequestsOf`);
}

/** The recorder's middleware name: a stack cloned to build a request without sending it can drop it. */
export const RECORDER_MIDDLEWARE = 'awsCallRecorder';
const RECORD_CALL = Symbol.for('storage-service.recordAwsCall');

/**
 * Records a call the client's middleware stack does not run for: a presigned URL signed from an already resolved
 * request (lib/store/blob-store.ts `presignUpload`), so the IAM test still sees the action the URL's holder will
 * perform. One line, as the recorder writes for a call; a no-op on a client without the recorder (production).
 */
export function recordUnsentCall(client: object, service: string, operation: string, input: Input): void {
  (client as { [RECORD_CALL]?: (service: string, operation: string, input: Input) => void })[RECORD_CALL]?.(service, operation, input);
}

interface MiddlewareClient {
  readonly middlewareStack: { add(middleware: any, options: { step: 'initialize'; name: string; override?: boolean }): void };
}

/**
 * Adds the recorder to `client`: each call appends one line (a {@link RecordedCall}) to
 * `<directory>/<AWS_LAMBDA_FUNCTION_NAME>.jsonl` before it is sent.
 *
 * With `capacity` (AWS_CALL_RECORD_CAPACITY, the cost bench: bench/cost.ts), every DynamoDB call that
 * takes it is sent with `ReturnConsumedCapacity: 'INDEXES'` (unless it asks for capacity itself), and
 * its line is appended once it has returned or failed, with the capacity DynamoDB reported and the
 * error's name. A caller that set `ReturnConsumedCapacity` itself still gets what it asked for; the
 * extra `ConsumedCapacity` in the output of a call that did not ask is ignored by every store.
 */
export function recordAwsCalls(client: MiddlewareClient, options: { readonly directory: string; readonly region: string; readonly capacity?: boolean }): void {
  mkdirSync(options.directory, { recursive: true });
  const file = path.join(options.directory, `${process.env.AWS_LAMBDA_FUNCTION_NAME || 'process'}.jsonl`);
  (client as unknown as Record<symbol, unknown>)[RECORD_CALL] = (service: string, operation: string, input: Input) =>
    appendFileSync(file, `${JSON.stringify({ service, operation, requests: iamRequestsOf(service, operation, input, options) } satisfies RecordedCall)}\n`);
  client.middlewareStack.add(
    (next: (args: { input: Input }) => Promise<{ output?: Input }>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Input }) => {
        const service = (context.clientName ?? '').replace(/Client$/, '');
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const line: RecordedCall = { service, operation, requests: iamRequestsOf(service, operation, args.input, options) };
        if (!options.capacity) {
          appendFileSync(file, `${JSON.stringify(line)}\n`);
          return next(args);
        }
        const measured = service === 'DynamoDB' && CAPACITY_OPERATIONS.has(operation) && args.input.ReturnConsumedCapacity === undefined;
        let error: string | undefined;
        let consumed: unknown;
        try {
          const result = await next(measured ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'INDEXES' } } : args);
          consumed = result?.output?.ConsumedCapacity;
          return result;
        } catch (thrown) {
          error = (thrown as { name?: string } | null)?.name ?? 'Error';
          throw thrown;
        } finally {
          const capacity = consumed === undefined ? undefined : Array.isArray(consumed) ? consumed : [consumed];
          appendFileSync(file, `${JSON.stringify({ ...line, ...(capacity ? { consumedCapacity: capacity } : {}), ...(error ? { error } : {}) })}\n`);
        }
      },
    { step: 'initialize', name: RECORDER_MIDDLEWARE, override: true },
  );
}

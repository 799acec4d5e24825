/**
 * The cost model of bench/cost.ts (issue 24), pure: AWS list prices, what the recorded calls of one
 * operation add up to (lib/store/aws-call-record.ts lines, lib/local/lambda-pool.ts invocation lines),
 * their price, and the floors the operations are compared with.
 */
import type { RecordedCall } from '../lib/store/aws-call-record';
import type { RecordedInvocation } from '../lib/local/lambda-pool';

/**
 * us-east-1 list prices, USD, on-demand, no free tier, first volume tier. Taken from the pricing pages
 * below as published in 2025 (DynamoDB's on-demand prices are those of the 1 Nov 2024 cut); this
 * machine cannot reach aws.amazon.com, so re-check them before quoting a figure.
 */
export const PRICES = {
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table class): per write request unit (1 KB; 2 in a transaction). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** Same page: per read request unit (4 KB strongly consistent; half for eventually consistent; 2 in a transaction). */
  dynamoReadUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/dynamodb/pricing/provisioned/: per write capacity unit-hour. */
  dynamoProvisionedWcuHour: 0.00065,
  /** Same page: per read capacity unit-hour. */
  dynamoProvisionedRcuHour: 0.00013,
  /** https://aws.amazon.com/s3/pricing/ (S3 Standard): PUT, COPY, POST, LIST requests, $0.005 per 1,000. */
  s3ClassA: 0.005 / 1000,
  /** Same page: GET, SELECT and all other requests, $0.0004 per 1,000 (DELETE is free). */
  s3ClassB: 0.0004 / 1000,
  /** https://aws.amazon.com/sqs/pricing/ (standard queue): per request (each 64 KB chunk of a payload is one). */
  sqsRequest: 0.4 / 1e6,
  /** https://aws.amazon.com/lambda/pricing/: per request, either architecture. */
  lambdaRequest: 0.2 / 1e6,
  /** Same page, Arm (serverless.yml `architecture: arm64`), first 7.5 billion GB-s a month: per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, first 300 million a month): per request (512 KB chunks). */
  httpApiRequest: 1.0 / 1e6,
} as const;

/** The smallest Lambda a floor assumes: 128 MB for the 1 ms Lambda bills at least. */
export const FLOOR_LAMBDA = { memorySizeMb: 128, durationMs: 1 } as const;

/** S3 operations by price class (https://aws.amazon.com/s3/pricing/, "Requests & data retrievals"). */
const S3_CLASS_A = new Set(['PutObject', 'CopyObject', 'ListObjects', 'ListObjectsV2', 'CreateBucket', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']);
const S3_FREE = new Set(['DeleteObject', 'DeleteObjects', 'AbortMultipartUpload']);
const DYNAMO_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** What one operation used, in AWS's billing units. */
export interface Usage {
  dynamoRequests: number;
  /** Write request units: table and indexes. */
  writeUnits: number;
  /** Write units by where they were spent: `table` or the index name. */
  writeUnitsBy: Record<string, number>;
  readUnits: number;
  readUnitsBy: Record<string, number>;
  /** DynamoDB calls that failed (a failed conditional write is billed, but DynamoDB reports no units with an error). */
  dynamoFailed: number;
  s3ClassA: number;
  s3ClassB: number;
  s3Free: number;
  sqsRequests: number;
  lambdaInvocations: number;
  /** Σ billed duration (ms, rounded up) × memorySize (GB). */
  lambdaGbSeconds: number;
  httpApiRequests: number;
  /** Lambda invocations by function (short name). */
  invocationsBy: Record<string, number>;
}

export function emptyUsage(): Usage {
  return {
    dynamoRequests: 0, writeUnits: 0, writeUnitsBy: {}, readUnits: 0, readUnitsBy: {}, dynamoFailed: 0,
    s3ClassA: 0, s3ClassB: 0, s3Free: 0, sqsRequests: 0, lambdaInvocations: 0, lambdaGbSeconds: 0, httpApiRequests: 0, invocationsBy: {},
  };
}

const add = (into: Record<string, number>, key: string, value: number) => void (into[key] = (into[key] ?? 0) + value);

/**
 * Adds recorded AWS calls to `usage`. DynamoDB units are what DynamoDB reported per table and index
 * (`ReturnConsumedCapacity: 'INDEXES'`); reads and writes are told apart by the operation.
 * S3 by price class; SQS calls are one request each (SendMessageBatch carries up to 10 messages in one).
 */
export function addCalls(usage: Usage, calls: readonly RecordedCall[]): Usage {
  for (const call of calls) {
    if (call.service === 'DynamoDB') {
      usage.dynamoRequests += 1;
      if (call.error) usage.dynamoFailed += 1;
      const read = DYNAMO_READS.has(call.operation);
      for (const capacity of call.consumedCapacity ?? []) {
        const by = read ? usage.readUnitsBy : usage.writeUnitsBy;
        const total = capacity.CapacityUnits ?? 0;
        if (read) usage.readUnits += total;
        else usage.writeUnits += total;
        const table = capacity.Table?.CapacityUnits;
        const indexes = Object.entries(capacity.GlobalSecondaryIndexes ?? {});
        // DynamoDB Local reports Table and each index; a report without the split counts as the table's.
        add(by, 'table', table ?? total - indexes.reduce((sum, [, index]) => sum + (index.CapacityUnits ?? 0), 0));
        for (const [name, index] of indexes) add(by, name, index.CapacityUnits ?? 0);
      }
    } else if (call.service === 'S3') {
      if (S3_CLASS_A.has(call.operation)) usage.s3ClassA += 1;
      else if (S3_FREE.has(call.operation)) usage.s3Free += 1;
      else usage.s3ClassB += 1;
    } else if (call.service === 'SQS') {
      usage.sqsRequests += 1;
    }
  }
  return usage;
}

/** Functions that run on a schedule, not per operation: their cost is a fixed monthly one, left out of operations. */
export const SCHEDULED_FUNCTIONS = new Set(['sweepStranded', 'purgeDeleted']);

/** `storage-service-local-objectCreated` → `objectCreated`. */
export const shortName = (functionName: string) => functionName.replace(/^storage-service-[^-]+-/, '');

/**
 * Adds the pool's invocation lines to `usage`: each is one Lambda request, billed for its duration rounded up
 * to the ms at its memorySize (https://aws.amazon.com/lambda/pricing/). An SQS-event invocation also costs
 * the event source mapping's ReceiveMessage and DeleteMessageBatch (2 SQS requests); any other is an HTTP
 * API request. S3's own SendMessage of each upload's ObjectCreated notification is added by the caller
 * (it knows how many objects it PUT under `uploads/`).
 */
export function addInvocations(usage: Usage, invocations: readonly RecordedInvocation[]): Usage {
  for (const invocation of invocations) {
    const name = shortName(invocation.function);
    usage.lambdaInvocations += 1;
    add(usage.invocationsBy, name, 1);
    usage.lambdaGbSeconds += (Math.ceil(invocation.durationMs) / 1000) * (invocation.memorySizeMb / 1024);
    if (invocation.records !== undefined) usage.sqsRequests += 2;
    else usage.httpApiRequests += 1;
  }
  return usage;
}

/** USD of `usage`, by service. */
export function priceOf(usage: Usage): { dynamo: number; s3: number; sqs: number; lambda: number; httpApi: number; total: number } {
  const dynamo = usage.writeUnits * PRICES.dynamoWriteUnit + usage.readUnits * PRICES.dynamoReadUnit;
  const s3 = usage.s3ClassA * PRICES.s3ClassA + usage.s3ClassB * PRICES.s3ClassB;
  const sqs = usage.sqsRequests * PRICES.sqsRequest;
  const lambda = usage.lambdaInvocations * PRICES.lambdaRequest + usage.lambdaGbSeconds * PRICES.lambdaGbSecond;
  const httpApi = usage.httpApiRequests * PRICES.httpApiRequest;
  return { dynamo, s3, sqs, lambda, httpApi, total: dynamo + s3 + sqs + lambda + httpApi };
}

/** USD of the smallest Lambda invocation (request + 1 ms at 128 MB). */
export const floorLambda = (): number =>
  PRICES.lambdaRequest + (FLOOR_LAMBDA.durationMs / 1000) * (FLOOR_LAMBDA.memorySizeMb / 1024) * PRICES.lambdaGbSecond;

/**
 * The floors (USD per operation), stated in words beside each figure:
 * - an upload of `files` files: per file one S3 PUT and one Lambda invocation (the bare cost of the same
 *   bytes in S3 with one function run per object: issue 24);
 * - a read: per HTTP request the surface's contract needs, one API Gateway request and one Lambda
 *   invocation, plus the storage reads of what is answered (`s3Gets` S3 GETs, `readUnits` read units of the
 *   answered items read once, eventually consistent) and the writes the contract itself demands
 *   (`writeUnits`: a one-time token is written when issued and when spent).
 */
export const floors = {
  upload: (files: number) => files * (PRICES.s3ClassA + floorLambda()),
  read: (input: { requests: number; s3Gets?: number; readUnits?: number; writeUnits?: number }) =>
    input.requests * (PRICES.httpApiRequest + floorLambda()) +
    (input.s3Gets ?? 0) * PRICES.s3ClassB +
    (input.readUnits ?? 0) * PRICES.dynamoReadUnit +
    (input.writeUnits ?? 0) * PRICES.dynamoWriteUnit,
};

/**
 * The size of a DynamoDB item, bytes, by the documented rule
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * each attribute's name (UTF-8 bytes) plus its value: strings by UTF-8 bytes, numbers about 1 byte per two
 * significant digits plus 1, booleans and null 1, lists and maps 3 plus 1 per element plus their elements.
 * `item` is a document-client item (plain JavaScript values).
 */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]|^0+/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueBytes(element), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [key, element]) => sum + 1 + Buffer.byteLength(key) + valueBytes(element), 0);
  return 0;
}

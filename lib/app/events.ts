import type { AddressingContinuation } from '../core/lifecycle/sliced-cids';

/**
 * S3 event keys arrive URL-encoded, with spaces as `+` (s3rver sends them raw;
 * our keys are ids, so both decode to the same thing).
 */
export function decodeS3Key(key: string): string {
  const spaced = key.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * What one SQS message of the object-events queue asks for:
 * - `objects`: an S3 event notification (`{"Records":[...]}`, the keys decoded);
 * - `directory`: a directory recompute this service sent itself (`{"recomputeDirectory": {bucketUuid, directoryUuid}}`,
 *   lib/store/lifecycle-queue.ts; `directoryUuid` null is the bucket root);
 * - `test`: the `s3:TestEvent` S3 sends once when the notification is configured;
 * - `unreadable`: a body that is not an S3 notification at all (with the reason).
 */
export type ObjectEventMessage =
  | { readonly kind: 'objects'; readonly keys: readonly string[] }
  | { readonly kind: 'directory'; readonly bucketUuid: string; readonly directoryUuid: string | null }
  | { readonly kind: 'addressing'; readonly continuation: AddressingContinuation }
  | { readonly kind: 'test' }
  | { readonly kind: 'unreadable'; readonly reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the body of an SQS record sent by an S3 event notification
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * Only the fields this service uses are checked: `Records[].eventName` and
 * `Records[].s3.object.key`; a record of another event type is skipped.
 */
export function parseObjectEventMessage(body: string): ObjectEventMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'unreadable', reason: 'body is not JSON' };
  }
  if (!isObject(parsed)) return { kind: 'unreadable', reason: 'body is not a JSON object' };
  if (parsed.Event === 's3:TestEvent') return { kind: 'test' };
  if ('recomputeDirectory' in parsed) {
    const target = parsed.recomputeDirectory;
    const uuid = /^[0-9a-f-]{36}$/;
    if (!isObject(target) || typeof target.bucketUuid !== 'string' || !uuid.test(target.bucketUuid)) return { kind: 'unreadable', reason: 'a directory recompute without bucketUuid' };
    const directoryUuid = target.directoryUuid ?? null;
    if (directoryUuid !== null && (typeof directoryUuid !== 'string' || !uuid.test(directoryUuid))) return { kind: 'unreadable', reason: 'a directory recompute with a malformed directoryUuid' };
    return { kind: 'directory', bucketUuid: target.bucketUuid, directoryUuid };
  }
  if ('continueAddressing' in parsed) {
    // lib/core/lifecycle/sliced-cids.ts: the CID hashing of a large object goes on from its checkpoint.
    const target = parsed.continueAddressing;
    if (!isObject(target) || typeof target.fileUuid !== 'string' || typeof target.objectKey !== 'string' || !isObject(target.checkpoint)) {
      return { kind: 'unreadable', reason: 'a continueAddressing without fileUuid, objectKey and checkpoint' };
    }
    return { kind: 'addressing', continuation: target as unknown as AddressingContinuation };
  }
  if (!Array.isArray(parsed.Records)) return { kind: 'unreadable', reason: 'no Records array' };
  const keys: string[] = [];
  for (const record of parsed.Records as unknown[]) {
    if (!isObject(record) || typeof record.eventName !== 'string') return { kind: 'unreadable', reason: 'a record without eventName' };
    if (!record.eventName.startsWith('ObjectCreated')) continue;
    const key = isObject(record.s3) && isObject(record.s3.object) ? record.s3.object.key : undefined;
    if (typeof key !== 'string' || key === '') return { kind: 'unreadable', reason: 'a record without s3.object.key' };
    keys.push(decodeS3Key(key));
  }
  return { kind: 'objects', keys };
}

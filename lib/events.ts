import type { S3Event } from 'aws-lambda';

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

export function objectKeysOf(event: S3Event): string[] {
  return (event.Records ?? [])
    .filter((record) => record.eventName?.startsWith('ObjectCreated'))
    .map((record) => decodeS3Key(record.s3.object.key));
}

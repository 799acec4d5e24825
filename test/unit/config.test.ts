import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';

const REQUIRED = { TABLE_NAME: 'table', FILES_BUCKET: 'files-bucket', REPLICA_BUCKET: 'replica-bucket' };

function configError(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('parseConfig accepted an invalid environment');
}

describe('parseConfig', () => {
  it('applies defaults to a minimal environment', () => {
    // act
    const config = parseConfig(REQUIRED);

    // assess
    expect(config).toMatchObject({
      ...REQUIRED,
      STAGE: 'local',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'info',
      DEFAULT_QUOTA_BYTES: 10 * 1024 ** 3,
      DEFAULT_BUCKET_MAX_BYTES: 5 * 1024 ** 3,
      MULTIPART_COPY_THRESHOLD_BYTES: 5 * 1024 ** 3,
      presignTtlSeconds: 60,
    });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.S3_ENDPOINT).toBeUndefined();
  });

  it('reads endpoints and coerces numbers', () => {
    // act
    const config = parseConfig({
      ...REQUIRED,
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      S3_ENDPOINT: ' http://localhost:4569 ',
      DEFAULT_QUOTA_BYTES: '1024',
    });

    // assess
    expect(config).toMatchObject({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', S3_ENDPOINT: 'http://localhost:4569', DEFAULT_QUOTA_BYTES: 1024 });
  });

  it('treats empty endpoints as unset (serverless.yml passes "" on AWS)', () => {
    // act
    const config = parseConfig({ ...REQUIRED, DYNAMODB_ENDPOINT: '', S3_ENDPOINT: '', PUBLIC_BASE_URL: '' });

    // assess
    expect([config.DYNAMODB_ENDPOINT, config.S3_ENDPOINT, config.PUBLIC_BASE_URL]).toEqual([undefined, undefined, undefined]);
  });

  it('treats the lifecycle\'s empty slice and copy settings as unset (their function.yml passes "" when not given at npm start or deploy)', () => {
    // act
    const blank = parseConfig({ ...REQUIRED, CID_SLICE_SECONDS: '', CID_SLICE_BYTES: '', COPY_SLICE_SECONDS: ' ', COPY_SLICE_BYTES: '', MULTIPART_COPY_THRESHOLD_BYTES: '' });
    const given = parseConfig({ ...REQUIRED, COPY_SLICE_BYTES: '5242880', MULTIPART_COPY_THRESHOLD_BYTES: '5242880' });
    const bad = configError({ ...REQUIRED, COPY_SLICE_BYTES: '5 MiB' });

    // assess
    expect(blank).toMatchObject({ CID_SLICE_SECONDS: 30, CID_SLICE_BYTES: undefined, COPY_SLICE_SECONDS: 30, COPY_SLICE_BYTES: undefined, MULTIPART_COPY_THRESHOLD_BYTES: 5 * 1024 ** 3 });
    expect(given).toMatchObject({ COPY_SLICE_BYTES: 5242880, MULTIPART_COPY_THRESHOLD_BYTES: 5242880 });
    expect(bad).toContain('COPY_SLICE_BYTES: must be a positive whole number');
  });

  it('takes a multipart copy threshold up to S3\'s 5 GiB CopyObject limit, and refuses one above it', () => {
    // act
    const lower = parseConfig({ ...REQUIRED, MULTIPART_COPY_THRESHOLD_BYTES: String(5 * 1024 ** 2) });
    const above = configError({ ...REQUIRED, MULTIPART_COPY_THRESHOLD_BYTES: String(5 * 1024 ** 3 + 1) });

    // assess
    expect(lower.MULTIPART_COPY_THRESHOLD_BYTES).toBe(5 * 1024 ** 2);
    expect(above).toContain('MULTIPART_COPY_THRESHOLD_BYTES: must be at most 5368709120');
  });

  it('returns a frozen object', () => {
    // act
    const config = parseConfig(REQUIRED);

    // assess
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing required variable in one message', () => {
    // act
    const message = configError({});

    // assess
    expect(message).toMatch(/^Invalid service configuration: /);
    for (const name of Object.keys(REQUIRED)) expect(message).toContain(name);
  });

  it.each([
    ['S3_ENDPOINT', 'not a url'],
    ['DYNAMODB_ENDPOINT', '127.0.0.1:8000'],
    ['PUBLIC_BASE_URL', 'nope'],
    ['LOG_LEVEL', 'loud'],
    ['DEFAULT_QUOTA_BYTES', 'lots'],
    ['DEFAULT_QUOTA_BYTES', '-5'],
    ['DEFAULT_BUCKET_MAX_BYTES', '1.5'],
    ['FILES_BUCKET', 'x'],
    ['TABLE_NAME', ''],
  ])('rejects %s=%j, naming the variable', (name, value) => {
    // act
    const message = configError({ ...REQUIRED, [name]: value });

    // assess
    expect(message).toMatch(new RegExp(`^Invalid service configuration: .*\\b${name}: `));
    expect(message.split(';')).toHaveLength(1);
  });

  // Leaving out "http://" must fail here, not later inside the SDK.
  it.each([
    ['DYNAMODB_ENDPOINT', 'localhost:8000'],
    ['S3_ENDPOINT', 'ftp://localhost:4569'],
  ])('rejects %s=%j (not an http(s) URL)', (name, value) => {
    // act
    const message = configError({ ...REQUIRED, [name]: value });

    // assess
    expect(message).toContain(name);
  });
});

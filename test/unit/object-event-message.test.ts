import { describe, expect, it } from 'vitest';
import { parseObjectEventMessage } from '../../lib/app/events';
import { directoryRecomputeMessage } from '../../lib/store/lifecycle-queue';

const record = (eventName: string, key: string) => ({ eventName, s3: { bucket: { name: 'b' }, object: { key, size: 1 } } });

describe('parseObjectEventMessage', () => {
  it('decodes S3 keys: URL-encoding and + for spaces (AWS), raw keys (s3rver) unchanged', () => {
    // act
    const message = parseObjectEventMessage(
      JSON.stringify({ Records: [record('ObjectCreated:Put', 'uploads/a+b%2Bc%C3%A9'), record('ObjectCreated:Copy', 'uploads/plain/key')] }),
    );

    // assess
    expect(message).toEqual({ kind: 'objects', keys: ['uploads/a b+cé', 'uploads/plain/key'] });
  });

  it('skips records of other event types', () => {
    expect(parseObjectEventMessage(JSON.stringify({ Records: [record('ObjectRemoved:Delete', 'uploads/x')] }))).toEqual({ kind: 'objects', keys: [] });
  });

  it("recognises S3's s3:TestEvent", () => {
    expect(parseObjectEventMessage(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }))).toEqual({ kind: 'test' });
  });

  it.each([
    ['not JSON', 'Records: ['],
    ['a JSON array', '[]'],
    ['no Records', '{"Message":"hi"}'],
    ['a record without eventName', '{"Records":[{"s3":{"object":{"key":"k"}}}]}'],
    ['a created record without a key', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{}}}]}'],
    ['a created record with an empty key', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":""}}}]}'],
  ])('calls %s unreadable', (_what, body) => {
    expect(parseObjectEventMessage(body)).toMatchObject({ kind: 'unreadable' });
  });

  it('reads back the directory recompute messages the service sends itself (a bucket root: directoryUuid null)', () => {
    // prepare
    const bucketUuid = '0b7a3f2e-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const directoryUuid = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

    // act
    const directory = parseObjectEventMessage(JSON.stringify(directoryRecomputeMessage({ bucketUuid, directoryUuid })));
    const root = parseObjectEventMessage(JSON.stringify(directoryRecomputeMessage({ bucketUuid, directoryUuid: null })));

    // assess
    expect(directory).toEqual({ kind: 'directory', bucketUuid, directoryUuid });
    expect(root).toEqual({ kind: 'directory', bucketUuid, directoryUuid: null });
  });

  it.each([
    ['no bucketUuid', { recomputeDirectory: { directoryUuid: null } }],
    ['a bucketUuid that is no uuid', { recomputeDirectory: { bucketUuid: '../x', directoryUuid: null } }],
    ['a directoryUuid that is no uuid', { recomputeDirectory: { bucketUuid: '0b7a3f2e-1c4d-4e5f-8a9b-0c1d2e3f4a5b', directoryUuid: 7 } }],
    ['a target that is no object', { recomputeDirectory: 'x' }],
  ])('calls a directory recompute with %s unreadable', (_what, body) => {
    expect(parseObjectEventMessage(JSON.stringify(body))).toMatchObject({ kind: 'unreadable' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseObjectEventMessage } from '../../lib/events';

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
});

import { describe, expect, it } from 'vitest';
import { contentTypeFor } from '../../lib/core/model/content-type';
import { contentQuery, sessionUploadBody, singleUploadBody } from '../../lib/apillon/schemas';

describe('listing query', () => {
  it('defaults to page 1, limit 20, no ordering', () => {
    // act
    const query = contentQuery.parse({});

    // assess
    expect(query).toMatchObject({ page: 1, limit: 20, orderBy: [], desc: [] });
  });

  it('parses comma-separated orderBy and desc by index; empty parameters count as absent', () => {
    // act
    const query = contentQuery.parse({ orderBy: 'size, name', desc: 'TRUE,false', search: '', limit: '1000' });

    // assess
    expect(query).toMatchObject({ orderBy: ['size', 'name'], desc: [true, false], limit: 1000 });
    expect(query.search).toBeUndefined();
  });

  it.each([{ orderBy: 'id' }, { desc: '1' }, { limit: '1001' }, { page: '1.5' }, { directoryId: '12a' }])('refuses %j', (raw) => {
    // assess
    expect(contentQuery.safeParse(raw).success).toBe(false);
  });
});

describe('upload bodies', () => {
  it('keeps the session file’s fields as sent and allows extra ones', () => {
    // act
    const body = sessionUploadBody.parse({ files: [{ fileName: 'a.txt', path: 'sub/', index: '/abs/a.txt' }], sessionUuid: 'A3F1D2C4-0000-4000-8000-000000000000' });

    // assess
    expect(body.files[0]).toEqual({ fileName: 'a.txt', path: 'sub/', index: '/abs/a.txt' });
    expect(body.sessionUuid).toBe('a3f1d2c4-0000-4000-8000-000000000000');
  });

  it('requires a content type on the seed route only', () => {
    // assess
    expect(singleUploadBody.safeParse({ fileName: 'a.txt' }).success).toBe(false);
    expect(sessionUploadBody.safeParse({ files: [{ fileName: 'a.txt' }] }).success).toBe(true);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['index.HTML', 'text/html'],
    ['a.tar.gz', 'application/gzip'],
    ['.env', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    // assess
    expect(contentTypeFor(name)).toBe(type);
  });
});

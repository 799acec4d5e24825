/**
 * HTTP semantics of Quantum's `GET|HEAD /file/download/<token>`, as the function itself
 * answers an API Gateway v2 event: HEAD, ranges, 416, 304, If-Range, names, and how each
 * of them uses the one-time token (only answers that give bytes spend it).
 */
import contentDisposition from 'content-disposition';
import { describe, expect } from 'vitest';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/core/ports/storage';
import type { Services } from '../../../lib/app/services';
import { answerOf } from '../../support/downloads';
import { fileNameOf } from '../../support/rfc6266';
import { createTestBucket, type TestTenant } from '../../support/services';
import { addFiles, fileToken, quantum, routeEvent } from './support';
import { tenantTest } from '../../support/fixtures';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256));

/** A stored file and a function that issues a fresh token for it. */
async function storedFile(name = 'data.bin', content: Uint8Array = BYTES) {
  const bucket = await createTestBucket(services, tenant.accountId, { public: false });
  const added = await addFiles(tenant.headers.master, bucket.name, 'dl', [{ name, content, type: 'application/octet-stream' }]);
  if (added.statusCode !== 200) throw new Error(`file/add: ${added.rawBody}`);
  return { newToken: () => fileToken(tenant.headers.master, bucket.name, `dl/${name}`) };
}

function download(token: string, init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}) {
  return answerOf(quantum.fileDownload, routeEvent({ method: init.method ?? 'GET', route: '/file/download/{token}', params: { token }, headers: init.headers }));
}

const INVALID_TOKEN = { status: 'error', message: 'INVALID_TOKEN' };

describe('HEAD /file/download/<token>', () => {
  it('answers the headers of GET without a body, and leaves the token valid', async () => {
    // prepare
    const { newToken } = await storedFile();
    const token = await newToken();

    // act
    const head = await download(token, { method: 'HEAD' });
    const get = await download(token);

    // assess
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.headers).toMatchObject({ 'content-length': '1000', 'accept-ranges': 'bytes', 'cache-control': 'no-store' });
    const { 'x-request-id': _h, ...headHeaders } = head.headers;
    const { 'x-request-id': _g, ...getHeaders } = get.headers;
    expect(headHeaders).toEqual(getHeaders);
    expect(get.status).toBe(200);
    expect(get.bytes.equals(BYTES)).toBe(true);
  });

  it('answers 400 without a body for a spent token', async () => {
    // prepare
    const { newToken } = await storedFile();
    const token = await newToken();
    await download(token);

    // act
    const head = await download(token, { method: 'HEAD' });

    // assess
    expect(head.status).toBe(400);
    expect(head.bytes.length).toBe(0);
  });
});

describe('Range on /file/download/<token>', () => {
  it.each([
    ['bytes=0-3', 0, 3],
    ['bytes=995-', 995, 999],
    ['bytes=-10', 990, 999],
  ])('%s → 206 with exactly those bytes, and the token is spent', async (range, start, end) => {
    // prepare
    const { newToken } = await storedFile();
    const token = await newToken();

    // act
    const answer = await download(token, { headers: { range } });
    const again = await download(token, { headers: { range } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(answer.bytes.equals(BYTES.subarray(start, end + 1))).toBe(true);
    expect({ status: again.status, body: JSON.parse(again.text) }).toEqual({ status: 400, body: INVALID_TOKEN });
  });

  it('answers 416 with Content-Range: bytes */size in the Quantum shape, and leaves the token valid', async () => {
    // prepare
    const { newToken } = await storedFile();
    const token = await newToken();

    // act
    const answer = await download(token, { headers: { range: 'bytes=5000-' } });
    const after = await download(token);

    // assess
    expect(answer.status).toBe(416);
    expect(answer.headers['content-range']).toBe('bytes */1000');
    expect(JSON.parse(answer.text)).toEqual({ status: 'error', message: 'RANGE_NOT_SATISFIABLE' });
    expect(after.status).toBe(200);
  });

  it('If-Range with another version sends the whole file', async () => {
    // prepare
    const { newToken } = await storedFile();
    const token = await newToken();

    // act
    const answer = await download(token, { headers: { range: 'bytes=0-3', 'if-range': '"another-version"' } });

    // assess
    expect(answer.status).toBe(200);
    expect(answer.bytes.equals(BYTES)).toBe(true);
  });

  it('If-Range with the current ETag keeps the range', async () => {
    // prepare
    const { newToken } = await storedFile();
    const { etag } = (await download(await newToken(), { method: 'HEAD' })).headers;

    // act
    const answer = await download(await newToken(), { headers: { range: 'bytes=0-3', 'if-range': etag! } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.bytes.equals(BYTES.subarray(0, 4))).toBe(true);
  });

  it('serves a small range of a file above the inline limit from S3, and redirects a large one', async () => {
    // prepare
    const large = Buffer.from(Array.from({ length: INLINE_DOWNLOAD_MAX_BYTES + 10 }, (_, i) => i % 253));
    const { newToken } = await storedFile('large.bin', large);

    // act
    const small = await download(await newToken(), { headers: { range: 'bytes=100-199' } });
    const whole = await download(await newToken(), { headers: { range: 'bytes=0-' } });

    // assess
    expect(small.status).toBe(206);
    expect(small.bytes.equals(large.subarray(100, 200))).toBe(true);
    expect(whole.status).toBe(302);
    const fetched = await fetch(whole.headers.location!, { headers: { range: 'bytes=0-' } });
    expect(Buffer.from(await fetched.arrayBuffer()).equals(large)).toBe(true);
  });
});

describe('conditional GET of /file/download/<token>', () => {
  it('answers 304 to If-None-Match with the ETag, without a body, and leaves the token valid', async () => {
    // prepare
    const { newToken } = await storedFile();
    const { etag } = (await download(await newToken())).headers;
    const token = await newToken();

    // act
    const answer = await download(token, { headers: { 'if-none-match': etag! } });
    const after = await download(token);

    // assess
    expect(answer.status).toBe(304);
    expect(answer.bytes.length).toBe(0);
    expect(answer.headers.etag).toBe(etag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).toBe(etag);
  });

  it('answers 304 to If-Modified-Since at Last-Modified, the whole file to an earlier date', async () => {
    // prepare
    const { newToken } = await storedFile();
    const lastModified = new Date((await download(await newToken(), { method: 'HEAD' })).headers['last-modified']!);

    // act
    const same = await download(await newToken(), { headers: { 'if-modified-since': lastModified.toUTCString() } });
    const earlier = await download(await newToken(), { headers: { 'if-modified-since': new Date(lastModified.getTime() - 1000).toUTCString() } });

    // assess
    expect(same.status).toBe(304);
    expect(earlier.status).toBe(200);
    expect(earlier.bytes.equals(BYTES)).toBe(true);
  });

  it('changes the ETag when the file is overwritten', async () => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    await addFiles(tenant.headers.master, bucket.name, undefined, [{ name: 'v.txt', content: 'one' }]);
    const first = (await download(await fileToken(tenant.headers.master, bucket.name, 'v.txt'), { method: 'HEAD' })).headers.etag;
    await addFiles(tenant.headers.master, bucket.name, undefined, [{ name: 'v.txt', content: 'two' }], { force: 'true' });

    // act
    const answer = await download(await fileToken(tenant.headers.master, bucket.name, 'v.txt'), { headers: { 'if-none-match': first! } });

    // assess
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('two');
    expect(answer.headers.etag).not.toBe(first);
  });
});

describe('names from user data', () => {
  it.each(["Renée's CV (1).pdf", "star*(x);'q' 100%.txt", '😀 emoji.bin', '日本語.txt'])(
    'sends %j as an attachment a strict RFC 6266 parser reads back intact',
    async (name) => {
      // prepare
      const { newToken } = await storedFile(name, Buffer.from('x'));

      // act
      const answer = await download(await newToken());

      // assess
      const disposition = answer.headers['content-disposition']!;
      expect(fileNameOf(disposition)).toBe(name);
      expect(contentDisposition.parse(disposition)).toMatchObject({ type: 'attachment', parameters: { filename: name } });
    },
  );

  it("the presigned GET of a large file names it intact too", async () => {
    // prepare
    const name = "Renée's big (1).bin";
    const { newToken } = await storedFile(name, Buffer.alloc(INLINE_DOWNLOAD_MAX_BYTES + 1, 1));

    // act
    const answer = await download(await newToken());

    // assess
    expect(answer.status).toBe(302);
    const fromS3 = await fetch(answer.headers.location!);
    const disposition = new URL(answer.headers.location!).searchParams.get('response-content-disposition')!;
    expect(fileNameOf(disposition)).toBe(name);
    expect(fileNameOf(fromS3.headers.get('content-disposition')!)).toBe(name);
  });
});

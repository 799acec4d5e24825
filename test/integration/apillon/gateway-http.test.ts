/**
 * HTTP semantics of the public gateway `GET|HEAD /ipfs/:cid`, as the function itself
 * answers an API Gateway v2 event (API Gateway adds none of it): HEAD, ranges, 416,
 * conditional requests, If-Range, names, and ranges of files above the inline limit.
 */
import contentDisposition from 'content-disposition';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/core/ports/storage';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { answerOf } from '../../support/downloads';
import { httpEvent } from '../../support/events';
import { fileNameOf } from '../../support/rfc6266';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, prngBytes, uploadFile } from './helpers';

let services: Services;
let tenant: TestTenant;
let cid: string;
const BYTES = Buffer.from(prngBytes(1000, 4242));

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services);
  cid = await stored('sample.bin', BYTES, 'application/octet-stream');
});

async function stored(fileName: string, bytes: Uint8Array | string, contentType = 'text/plain'): Promise<string> {
  const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName, bytes, contentType });
  const detail = await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id: fileUuid }, headers: tenant.headers.basic });
  return detail.body.data.file.CID as string;
}

function gateway(target: string, init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}) {
  return answerOf(
    ipfsGateway,
    httpEvent({ method: init.method ?? 'GET', path: '/ipfs/{cid}', rawPath: `/ipfs/${target}`, pathParameters: { cid: target }, headers: init.headers }),
  );
}

describe('GET /ipfs/:cid validators', () => {
  it('sends a strong ETag of the CID, Last-Modified, Accept-Ranges and an immutable Cache-Control', async () => {
    // act
    const answer = await gateway(cid);

    // assess
    expect(answer.status).toBe(200);
    expect(answer.bytes.equals(BYTES)).toBe(true);
    expect(answer.headers).toMatchObject({ etag: `"${cid}"`, 'accept-ranges': 'bytes', 'content-length': '1000' });
    expect(answer.headers['cache-control']).toMatch(/\bimmutable\b/);
    expect(new Date(answer.headers['last-modified']!).toUTCString()).toBe(answer.headers['last-modified']);
  });
});

describe('HEAD /ipfs/:cid', () => {
  it('answers the headers of GET and no body', async () => {
    // act
    const [head, get] = await Promise.all([gateway(cid, { method: 'HEAD' }), gateway(cid)]);

    // assess
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    const { 'x-request-id': _h, ...headHeaders } = head.headers;
    const { 'x-request-id': _g, ...getHeaders } = get.headers;
    expect(headHeaders).toEqual(getHeaders);
  });

  it('answers 404 without a body for a CID nobody serves', async () => {
    // act
    const answer = await gateway('bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y', { method: 'HEAD' });

    // assess
    expect(answer.status).toBe(404);
    expect(answer.bytes.length).toBe(0);
  });
});

describe('Range on /ipfs/:cid', () => {
  it.each([
    ['bytes=0-3', 0, 3],
    ['bytes=990-', 990, 999],
    ['bytes=-10', 990, 999],
    ['bytes=500-100000', 500, 999],
  ])('%s → 206 with Content-Range and exactly those bytes', async (range, start, end) => {
    // act
    const answer = await gateway(cid, { headers: { range } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(answer.headers['content-length']).toBe(String(end - start + 1));
    expect(answer.bytes.equals(BYTES.subarray(start, end + 1))).toBe(true);
  });

  it('HEAD with a range answers the 206 headers without a body', async () => {
    // act
    const answer = await gateway(cid, { method: 'HEAD', headers: { range: 'bytes=-10' } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe('bytes 990-999/1000');
    expect(answer.bytes.length).toBe(0);
  });

  it('answers 416 with Content-Range: bytes */size in the Apillon error shape for a range past the end', async () => {
    // act
    const answer = await gateway(cid, { headers: { range: 'bytes=1000-' } });

    // assess
    expect(answer.status).toBe(416);
    expect(answer.headers['content-range']).toBe('bytes */1000');
    expect(JSON.parse(answer.text)).toMatchObject({ code: 41600001, message: 'RANGE_NOT_SATISFIABLE' });
  });

  it('answers several disjoint ranges with the whole file (200)', async () => {
    // act
    const answer = await gateway(cid, { headers: { range: 'bytes=0-1,10-11' } });

    // assess
    expect(answer.status).toBe(200);
    expect(answer.bytes.equals(BYTES)).toBe(true);
  });

  it('If-Range with the current ETag keeps the range; with another, the whole file comes', async () => {
    // act
    const [same, other] = await Promise.all([
      gateway(cid, { headers: { range: 'bytes=0-3', 'if-range': `"${cid}"` } }),
      gateway(cid, { headers: { range: 'bytes=0-3', 'if-range': '"bafyother"' } }),
    ]);

    // assess
    expect(same.status).toBe(206);
    expect(same.bytes.equals(BYTES.subarray(0, 4))).toBe(true);
    expect(other.status).toBe(200);
    expect(other.bytes.equals(BYTES)).toBe(true);
  });

  it('If-Range with the Last-Modified date keeps the range', async () => {
    // prepare
    const lastModified = (await gateway(cid, { method: 'HEAD' })).headers['last-modified']!;

    // act
    const answer = await gateway(cid, { headers: { range: 'bytes=4-7', 'if-range': lastModified } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.bytes.equals(BYTES.subarray(4, 8))).toBe(true);
  });
});

describe('conditional GET of /ipfs/:cid', () => {
  it('answers 304 without a body to If-None-Match with its ETag', async () => {
    // prepare
    const { etag } = (await gateway(cid)).headers;

    // act
    const answer = await gateway(cid, { headers: { 'if-none-match': etag! } });

    // assess
    expect(answer.status).toBe(304);
    expect(answer.bytes.length).toBe(0);
    expect(answer.headers.etag).toBe(etag);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before it', async () => {
    // prepare
    const lastModified = new Date((await gateway(cid, { method: 'HEAD' })).headers['last-modified']!);
    const earlier = new Date(lastModified.getTime() - 1000).toUTCString();

    // act
    const [same, before] = await Promise.all([
      gateway(cid, { headers: { 'if-modified-since': lastModified.toUTCString() } }),
      gateway(cid, { headers: { 'if-modified-since': earlier } }),
    ]);

    // assess
    expect(same.status).toBe(304);
    expect(same.bytes.length).toBe(0);
    expect(before.status).toBe(200);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    // act
    const answer = await gateway(cid, { headers: { 'if-none-match': '"bafyother"', 'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' } });

    // assess
    expect(answer.status).toBe(200);
  });
});

describe('names and types from user data', () => {
  it.each(["Renée's CV (1).pdf", 'a*b;c"d%41.txt', 'emoji 😀.txt'])('serves %j inline under its own name (RFC 6266)', async (fileName) => {
    // prepare
    const target = await stored(fileName, `content of ${fileName}`);

    // act
    const answer = await gateway(target);

    // assess
    const disposition = answer.headers['content-disposition']!;
    expect(contentDisposition.parse(disposition)).toMatchObject({ type: 'inline', parameters: { filename: fileName } });
    expect(fileNameOf(disposition)).toBe(fileName);
  });
});

describe('ranges of a file above the inline limit', () => {
  const large = Buffer.from(prngBytes(INLINE_DOWNLOAD_MAX_BYTES + 4096, 99));
  let largeCid: string;

  beforeAll(async () => {
    largeCid = await stored('large.bin', large, 'application/octet-stream');
  });

  it('serves a small range from S3 (a ranged GetObject) in the response', async () => {
    // act
    const answer = await gateway(largeCid, { headers: { range: 'bytes=-100' } });

    // assess
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${large.length - 100}-${large.length - 1}/${large.length}`);
    expect(answer.bytes.equals(large.subarray(large.length - 100))).toBe(true);
  });

  it('redirects a range above the inline limit to a presigned GET, which serves the range the client sends again', async () => {
    // act
    const answer = await gateway(largeCid, { headers: { range: 'bytes=1-' } });
    const fetched = await fetch(answer.headers.location!, { headers: { range: 'bytes=1-' } });

    // assess
    expect(answer.status).toBe(302);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(fetched.status).toBe(206);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(large.subarray(1))).toBe(true);
    expect(fileNameOf(new URL(answer.headers.location!).searchParams.get('response-content-disposition')!)).toBe('large.bin');
  });

  it('HEAD answers 200 with the whole size instead of a redirect', async () => {
    // act
    const answer = await gateway(largeCid, { method: 'HEAD' });

    // assess
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe(String(large.length));
    expect(answer.headers.location).toBeUndefined();
  });
});

/**
 * The Quantum surface's route for large files over HTTP on the run's shared local stack (issue 21): a bucket and
 * an application token made through the Quantum API, a 2-part upload with that token (`/API/upload/create` →
 * `/API/upload/parts` → PUTs to S3 → `/API/upload/list` → `/API/upload/complete`), the file through the S3 event
 * path to status 4, then `file/get` + `file/download` (302 to S3) give the same bytes; an abort; a refusal naming
 * the offending field. (`file/add` over 10 MB never reaches the function over HTTP: the local server refuses it
 * first with its own 413, as API Gateway does; the function's own refusal is tested in test/integration.)
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { prngBytes } from '../support/data';
import { until, type LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const MIB = 1024 * 1024;

let stack: Omit<LocalStack, 'stop'>;

beforeAll(async () => {
  stack = await sharedLocalStack();
});

const post = (headers: Record<string, string>, body?: unknown): RequestInit => ({
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});


describe('a Quantum large-file upload over HTTP (local stack)', () => {
  it('goes up in 2 parts with an application token, reaches the bucket, and downloads as the same bytes', async () => {
    // prepare: a bucket and a token through the Quantum API; 5 MiB + 1 KiB of bytes
    const name = `e2e-qbig-${randomUUID().slice(0, 8)}`;
    expect((await stack.request(`/API/bucket/create/${name}`, { method: 'POST', headers: stack.headers.master })).status).toBe(200);
    const token = (await stack.request(`/API/token/create/${name}`, { method: 'POST', headers: stack.headers.master })).body.data.token as string;
    const app = { 'x-api-akey': token };
    const bytes = prngBytes(5 * MIB + 1024, 2102);

    // act
    const created = await stack.request(`/API/upload/create/${name}/videos/big.bin`, post(app, { size: bytes.byteLength }));
    const uploadId = created.body.data.upload_id as string;
    const partSize = created.body.data.part_size as number;
    const urls = await stack.request(`/API/upload/parts/${name}/${uploadId}`, post(app, { part_numbers: [1, 2] }));
    const etags: string[] = [];
    for (const part of urls.body.data.parts as { part_number: number; url: string }[]) {
      const put = await fetch(part.url, { method: 'PUT', body: bytes.subarray((part.part_number - 1) * partSize, part.part_number * partSize) });
      expect(put.status).toBe(200);
      etags.push(put.headers.get('etag')!);
    }
    const listed = await stack.request(`/API/upload/list/${name}/${uploadId}`, { headers: app });
    const completed = await stack.request(`/API/upload/complete/${name}/${uploadId}`, post(app, { parts: etags.map((etag, index) => ({ part_number: index + 1, etag })) }));
    const fileToken = await until(async () => {
      const answer = await stack.request(`/API/file/get/${name}/videos/big.bin`, { headers: app });
      return answer.status === 200 ? (answer.body.data.file_token as string) : undefined;
    }, 90_000);
    const download = await fetch(`${stack.baseUrl}/API/file/download/${fileToken}`, { redirect: 'manual' });
    const fetched = await fetch(download.headers.get('location')!);

    // assess
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({ status: 'success', data: { part_size: 5 * MIB, part_count: 2, path: 'videos/big.bin' } });
    expect(urls.status, urls.text).toBe(200);
    expect(listed.body.data.parts.map((part: { part_number: number; size: number }) => [part.part_number, part.size])).toEqual([
      [1, 5 * MIB],
      [2, 1024],
    ]);
    expect(completed.status, completed.text).toBe(200);
    expect(download.status).toBe(302);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  }, 180_000);

  it('aborts an upload (its listing then 404 UPLOAD_DNE, data.fileStatus 106); a bad part number is refused naming the field and its bound', async () => {
    // prepare
    const name = `e2e-qbig-${randomUUID().slice(0, 8)}`;
    expect((await stack.request(`/API/bucket/create/${name}`, { method: 'POST', headers: stack.headers.master })).status).toBe(200);
    const created = await stack.request(`/API/upload/create/${name}/gone.bin`, post(stack.headers.master, { size: 6 * MIB }));
    const uploadId = created.body.data.upload_id as string;

    // act
    const aborted = await stack.request(`/API/upload/abort/${name}/${uploadId}`, post(stack.headers.master));
    const listed = await stack.request(`/API/upload/list/${name}/${uploadId}`, { headers: stack.headers.master });
    const badPart = await stack.request(`/API/upload/parts/${name}/${uploadId}`, post(stack.headers.master, { part_numbers: [0] }));

    // assess
    expect(aborted.status, aborted.text).toBe(200);
    // What became of it: cancelled (106).
    expect({ status: listed.status, body: listed.body }).toEqual({ status: 404, body: { status: 'error', message: 'UPLOAD_DNE', data: { uploadId, fileStatus: 106 } } });
    expect({ status: badPart.status, body: badPart.body }).toEqual({
      status: 400,
      body: { status: 'error', message: 'INVALID_REQUEST', data: { errors: [{ property: 'part_numbers.0', message: 'PART_NUMBER_NOT_VALID', minimum: 1 }] } },
    });
  }, 90_000);

  it('claims its location: concurrent creates without force, one 200 and the rest 400 FILE_ALREADY_EXISTS naming it; with force the later supersedes it (409 UPLOAD_SUPERSEDED)', async () => {
    // prepare
    const name = `e2e-qbig-${randomUUID().slice(0, 8)}`;
    expect((await stack.request(`/API/bucket/create/${name}`, { method: 'POST', headers: stack.headers.master })).status).toBe(200);
    const create = (body: object) => stack.request(`/API/upload/create/${name}/one/place.bin`, post(stack.headers.master, body));

    // act
    const racing = await Promise.all([create({ size: 100 }), create({ size: 100 }), create({ size: 100 })]);
    const winner = racing.find((answer) => answer.status === 200)?.body.data.upload_id as string;
    const forced = await create({ size: 200, force: true });
    const listed = await stack.request(`/API/upload/list/${name}/${winner}`, { headers: stack.headers.master });

    // assess
    expect(racing.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const loser of racing.filter((answer) => answer.status !== 200)) {
      expect({ status: loser.status, message: loser.body.message, openUploadId: loser.body.data?.openUploadId }).toEqual({ status: 400, message: 'FILE_ALREADY_EXISTS', openUploadId: winner });
    }
    expect(forced.status, forced.text).toBe(200);
    expect({ status: listed.status, message: listed.body.message, supersededBy: listed.body.data?.supersededBy }).toEqual({ status: 409, message: 'UPLOAD_SUPERSEDED', supersededBy: forced.body.data.upload_id });
  }, 90_000);
});

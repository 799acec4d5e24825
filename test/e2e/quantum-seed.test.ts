/**
 * End to end: the Quantum Storage README (seeds/000), endpoint by endpoint, over
 * HTTP against the local stack as `npm start -- --in-memory` runs it, under
 * `/API/...` and at the bare paths, with X-API-MKEY / X-API-AKEY.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonResponse, LocalStack } from '../support/local-stack';
import { parseDispositionStrictly } from '../support/rfc6266';
import { sharedLocalStack } from '../support/shared-local-stack';

let stack: Omit<LocalStack, 'stop'>;

beforeAll(async () => {
  stack = await sharedLocalStack();
});

/** SPEC §4 success: `{status: 'success', message, data?}` and nothing else. */
function expectSuccess(response: JsonResponse, data?: Record<string, unknown>): void {
  expect({ status: response.status, envelope: response.body?.status }, response.text).toEqual({ status: 200, envelope: 'success' });
  expect(typeof response.body.message).toBe('string');
  expect(Object.keys(response.body).sort()).toEqual(data === undefined ? ['message', 'status'] : ['data', 'message', 'status']);
  if (data !== undefined) expect(response.body.data).toEqual(data);
}

/** SPEC §4 error: exactly `{status: 'error', message: <CODE>}` with the seed's HTTP status. */
function expectError(response: JsonResponse, status: number, code: string): void {
  expect({ status: response.status, body: response.body }, response.text).toEqual({ status, body: { status: 'error', message: code } });
}

function form(files: { name: string; content: Uint8Array | string; type?: string }[], fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const file of files) body.append('files', new Blob([file.content], { type: file.type ?? '' }), file.name);
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

describe.each(['/API', ''])('the Quantum Storage README at %s/...', (prefix) => {
  const bucket = `seed-${prefix === '' ? 'bare' : 'api'}-${randomBytes(3).toString('hex')}`;
  const master = () => ({ 'x-api-mkey': stack.credentials.masterKey });
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: FormData) =>
    stack.request(`${prefix}${path}`, { method, headers, body });
  const hello = 'Hello, Quantum Storage!\n';
  const binary = new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  let appToken = '';
  let quotaBefore = 0;

  it('[GET] /status returns the server status', async () => {
    // act
    const response = await call('GET', '/status');

    // assess
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: expect.any(String) });
    for (const field of ['system_load', 'memory_free', 'disk_free', 'kernel_version', 'upgradable_packages']) {
      expect(response.body.data).toHaveProperty(field);
    }
  });

  it('[GET] /file/quota returns the bytes left', async () => {
    // act
    const response = await call('GET', '/file/quota', master());

    // assess
    expectSuccess(response, { space_left: expect.any(Number) });
    quotaBefore = response.body.data.space_left;
    expect(quotaBefore).toBeGreaterThan(0);
  });

  it('[POST] /bucket/create/<bucket_name> creates a bucket, once', async () => {
    // act
    const created = await call('POST', `/bucket/create/${bucket}`, master());
    const again = await call('POST', `/bucket/create/${bucket}`, master());

    // assess
    expectSuccess(created);
    expectError(again, 400, 'BUCKET_EXISTS');
  });

  it('[GET] /bucket lists the buckets of the user (master key only)', async () => {
    // act
    const listed = await call('GET', '/bucket', master());

    // assess
    expectSuccess(listed, { Buckets: expect.arrayContaining(['local', bucket]) });
  });

  it('[POST] /token/create/<bucket_name> creates an application token', async () => {
    // act
    const response = await call('POST', `/token/create/${bucket}`, master());

    // assess
    expectSuccess(response, { token: expect.stringMatching(/^at_/) });
    appToken = response.body.data.token;
    expectError(await call('GET', '/bucket', { 'x-api-akey': appToken }), 403, 'UNAUTHORIZED');
  });

  it('[POST] /file/add/<bucket_name>/<location> adds files (multipart, `files`), force=true overwrites', async () => {
    // prepare
    const token = { 'x-api-akey': appToken };

    // act
    const added = await call('POST', `/file/add/${bucket}/docs/2024`, token, form([
      { name: 'hello.txt', content: 'first version', type: 'text/plain' },
      { name: 'C:\\client\\dir\\data.bin', content: binary },
    ]));
    const exists = await call('POST', `/file/add/${bucket}/docs/2024`, token, form([{ name: 'hello.txt', content: hello }]));
    const forced = await call('POST', `/file/add/${bucket}/docs/2024`, token, form([{ name: 'hello.txt', content: hello, type: 'text/plain' }], { force: 'true' }));
    const otherBucket = await call('POST', '/file/add/local/docs', token, form([{ name: 'x.txt', content: 'x' }]));

    // assess
    expectSuccess(added);
    expectError(exists, 400, 'FILE_ALREADY_EXISTS');
    expectSuccess(forced);
    expectError(otherBucket, 400, 'INVALID_BUCKET');
  });

  it('[GET] /file/quota has gone down by the bytes stored', async () => {
    // act
    const response = await call('GET', '/file/quota', { 'x-api-akey': appToken });

    // assess
    expectSuccess(response, { space_left: quotaBefore - hello.length - binary.length });
  });

  it('[POST] /file/mkdir/<bucket_name>/<location> creates a folder (not over a file)', async () => {
    // act
    const created = await call('POST', `/file/mkdir/${bucket}/empty/nested`, master());
    const overFile = await call('POST', `/file/mkdir/${bucket}/docs/2024/hello.txt`, master());

    // assess
    expectSuccess(created);
    expectError(overFile, 400, 'INVALID_DIR');
  });

  it('[GET] /file/get then [GET] /file/download: the bytes, as an attachment, once', async () => {
    // prepare
    const token = await call('GET', `/file/get/${bucket}/docs/2024/data.bin`, master());
    expectSuccess(token, { file_token: expect.any(String) });

    // act: no key on the download
    const downloaded = await fetch(`${stack.baseUrl}${prefix}/file/download/${token.body.data.file_token}`);
    const bytes = new Uint8Array(await downloaded.arrayBuffer());
    const again = await call('GET', `/file/download/${token.body.data.file_token}`);

    // assess
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(bytes).equals(Buffer.from(binary))).toBe(true);
    expect(parseDispositionStrictly(downloaded.headers.get('content-disposition')!)).toEqual({ type: 'attachment', parameters: { filename: 'data.bin' } });
    expectError(again, 400, 'INVALID_TOKEN');
  });

  it('[GET] /file/download: once one token of a file is used, its siblings are invalid', async () => {
    // prepare
    const [first, second] = await Promise.all([1, 2].map(() => call('GET', `/file/get/${bucket}/docs/2024/hello.txt`, { 'x-api-akey': appToken })));

    // act
    const used = await fetch(`${stack.baseUrl}${prefix}/file/download/${second!.body.data.file_token}`);
    const sibling = await call('GET', `/file/download/${first!.body.data.file_token}`);

    // assess
    expect(used.status).toBe(200);
    expect(await used.text()).toBe(hello);
    expectError(sibling, 400, 'INVALID_TOKEN');
  });

  it('[GET] /file/get answers NOT_A_FILE for a folder and FILE_DNE for nothing', async () => {
    // act
    const folder = await call('GET', `/file/get/${bucket}/docs`, master());
    const missing = await call('GET', `/file/get/${bucket}/docs/missing.txt`, master());

    // assess
    expectError(folder, 404, 'NOT_A_FILE');
    expectError(missing, 404, 'FILE_DNE');
  });

  it('[POST] /file/remove/<bucket_name>/<file_location> removes a file, then a folder with everything in it', async () => {
    // act
    const file = await call('POST', `/file/remove/${bucket}/docs/2024/hello.txt`, master());
    const gone = await call('POST', `/file/remove/${bucket}/docs/2024/hello.txt`, master());
    const folder = await call('POST', `/file/remove/${bucket}/docs`, master());
    const quota = await call('GET', '/file/quota', master());

    // assess
    expectSuccess(file);
    expectError(gone, 404, 'FILE_DNE');
    expectSuccess(folder);
    expectSuccess(quota, { space_left: quotaBefore });
    expectError(await call('GET', `/file/get/${bucket}/docs/2024/data.bin`, master()), 404, 'FILE_DNE');
  });

  it('[POST] /token/remove/<token> deletes a token', async () => {
    // act
    const removed = await call('POST', `/token/remove/${appToken}`, master());
    const again = await call('POST', `/token/remove/${appToken}`, master());

    // assess
    expectSuccess(removed);
    expectError(again, 404, 'TOKEN_DNE');
    expectError(await call('GET', '/file/quota', { 'x-api-akey': appToken }), 401, 'UNAUTHORIZED');
  });

  it('[POST] /token/remove/b/<bucket_name> deletes every token of a bucket', async () => {
    // prepare
    const tokens = await Promise.all([1, 2].map(async () => (await call('POST', `/token/create/${bucket}`, master())).body.data.token as string));

    // act
    const response = await call('POST', `/token/remove/b/${bucket}`, master());

    // assess
    expectSuccess(response);
    for (const token of tokens) expectError(await call('GET', '/file/quota', { 'x-api-akey': token }), 401, 'UNAUTHORIZED');
  });

  it('[POST] /bucket/remove/<bucket_name> deletes the bucket, once', async () => {
    // act
    const removed = await call('POST', `/bucket/remove/${bucket}`, master());
    const again = await call('POST', `/bucket/remove/${bucket}`, master());

    // assess
    expectSuccess(removed);
    expectError(again, 404, 'BUCKET_DNE');
    expect((await call('GET', '/bucket', master())).body.data.Buckets).not.toContain(bucket);
  });

  it('answers 405 REQ_METHOD_INVALID to a wrong method, even without a key, and still routes the right one', async () => {
    // act
    const wrong = await Promise.all([
      call('GET', `/file/add/${bucket}/docs`),
      call('POST', `/file/get/${bucket}/docs/a.txt`),
      call('DELETE', '/bucket'),
      call('GET', `/bucket/create/${bucket}`),
      call('POST', '/file/download/some-token'),
      call('PUT', '/file/quota'),
    ]);
    const right = await call('POST', `/file/add/${bucket}/docs`, {}, form([{ name: 'a.txt', content: 'a' }]));

    // assess
    for (const response of wrong) expectError(response, 405, 'REQ_METHOD_INVALID');
    expectError(right, 401, 'UNAUTHORIZED');
  });

  it('answers a path without its location, name or token in the Quantum shape, not the router’s 404', async () => {
    // prepare
    const name = `${bucket}-nolocation`;
    expectSuccess(await call('POST', `/bucket/create/${name}`, master()));

    // act
    const invalidPath = await Promise.all([
      call('POST', `/file/mkdir/${name}`, master()),
      call('POST', `/file/remove/${name}`, master()),
      call('GET', `/file/get/${name}`, master()),
      call('POST', '/bucket/create', master()),
      call('POST', '/token/create', master()),
    ]);
    const noToken = await call('GET', '/file/download');
    const wrongMethod = await call('GET', `/file/mkdir/${name}`);

    // assess
    for (const response of invalidPath) expectError(response, 400, 'INVALID_PATH');
    expectError(noToken, 400, 'INVALID_TOKEN');
    expectError(wrongMethod, 405, 'REQ_METHOD_INVALID');
  });

  it('answers 401 UNAUTHORIZED to a missing or unknown key', async () => {
    // act
    const [missing, unknown] = await Promise.all([call('GET', '/file/quota'), call('GET', '/bucket', { 'x-api-mkey': 'mk_unknown' })]);

    // assess
    expectError(missing, 401, 'UNAUTHORIZED');
    expectError(unknown, 401, 'UNAUTHORIZED');
  });

  it('answers 400 INVALID_PATH to paths that would leave the bucket, storing nothing', async () => {
    // prepare
    const name = `${bucket}-paths`;
    expectSuccess(await call('POST', `/bucket/create/${name}`, master()));

    // act
    const responses = await Promise.all(
      ['%252e%252e', 'a/%252e%252e%252fetc', '..%2f..%2fetc', 'a%00b', 'a%5cb', '%EF%BC%8E%EF%BC%8E', 'a//b'].map((path) =>
        call('POST', `/file/mkdir/${name}/${path}`, master()),
      ),
    );

    // assess
    for (const response of responses) expectError(response, 400, 'INVALID_PATH');
    expectSuccess(await call('POST', `/bucket/remove/${name}`, master()));
  });
});

describe('large files', () => {
  it('are downloaded through a 302 to a presigned GET that expires within 60 s', async () => {
    // prepare
    const master = { 'x-api-mkey': stack.credentials.masterKey };
    const bucket = `seed-large-${randomBytes(3).toString('hex')}`;
    const bytes = new Uint8Array(4.5 * 1024 * 1024).map((_, i) => (i * 31) % 256);
    await stack.request(`/API/bucket/create/${bucket}`, { method: 'POST', headers: master });
    const added = await stack.request(`/API/file/add/${bucket}/big`, { method: 'POST', headers: master, body: form([{ name: 'large.bin', content: bytes }]) });
    expectSuccess(added);
    const token = await stack.request(`/API/file/get/${bucket}/big/large.bin`, { headers: master });

    // act
    const redirect = await fetch(`${stack.baseUrl}/API/file/download/${token.body.data.file_token}`, { redirect: 'manual' });
    const location = redirect.headers.get('location')!;
    const fetched = await fetch(location);

    // assess
    expect(redirect.status).toBe(302);
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('60');
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toContain('filename="large.bin"');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });
});

/**
 * Apillon input rules (issue 11): strict UTF-8, hidden characters in names,
 * values that disagree, parameters a route cannot use, repeated parameters,
 * bodies on routes that take none. Each refusal stores nothing.
 */
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { createTestTenant, type TestTenant } from '../../support/services';
import { httpEvent, invoke } from '../../support/events';
import { call, handlers, tableSnapshot } from './helpers';
import { tenantTest } from '../../support/fixtures';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const upload = (body: string | Buffer | object, headers: Record<string, string> = {}) =>
  call('uploadRequest', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: { ...tenant.headers.basic, 'content-type': 'application/json', ...headers }, body });

describe('strict UTF-8', () => {
  it.each([
    ['0xFF 0xFE in fileName (a base64 body)', Buffer.concat([Buffer.from('{"fileName":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('.txt","contentType":"text/plain"}')])],
    ['an overlong "/" in fileName', Buffer.concat([Buffer.from('{"fileName":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('.txt","contentType":"text/plain"}')])],
    ['U+FFFD left by a decoder before us (a string body)', '{"fileName":"a\uFFFD.txt","contentType":"text/plain"}'],
  ])('refuses %s with 400 INVALID_UTF8 and stores nothing', async (_, body) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await upload(body);

    // assess
    expectApillonError(response, { status: 400, code: 40000006, message: 'INVALID_UTF8' });
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('refuses a query parameter with %FF with 400 INVALID_UTF8', async () => {
    // act
    const response = await invokeWithRawQuery('search=%FF');

    // assess
    expectApillonError(response, { status: 400, code: 40000006, message: 'INVALID_UTF8' });
  });

  it('refuses a path parameter with %FF with 400 INVALID_UTF8', async () => {
    // act
    const response = await call('fileDetail', { params: { bucketUuid: tenant.bucket.bucketUuid, id: 'a%FFb' }, headers: tenant.headers.basic });

    // assess
    expectApillonError(response, { status: 400, code: 40000006, message: 'INVALID_UTF8' });
  });
});

describe('hidden characters in names', () => {
  it.each(['evil\u202Egpj.exe', 'in\u200Bvoice.pdf', '\u2067a.txt', 'pay\u00ADpal.html'])('refuses the file name %j (422 FILE_NAME_NOT_VALID)', async (fileName) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await upload({ fileName, contentType: 'text/plain' });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200012, property: 'fileName', message: 'FILE_NAME_NOT_VALID' }]);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('refuses a folder in `path` with a bidi control (422 PATH_NOT_VALID)', async () => {
    // act
    const response = await upload({ fileName: 'a.txt', contentType: 'text/plain', path: 'docs/\u202Efdp' });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors[0]).toMatchObject({ property: 'path', message: 'PATH_NOT_VALID' });
  });

  it('refuses a bucket name with a bidi control (422 BUCKET_NAME_NOT_VALID)', async () => {
    // act
    const response = await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 'photos\u202Egpj' } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200003, property: 'name', message: 'BUCKET_NAME_NOT_VALID' }]);
  });
});

describe('one entry per field', () => {
  it('refuses {"size": 1e20} once, with its bound (not once per rule it breaks)', async () => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await upload({ fileName: 'huge.bin', contentType: 'application/octet-stream', size: 1e20 });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200013, property: 'size', message: 'FILE_SIZE_NOT_VALID', maximum: 5 * 1024 ** 3 }]);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('names a list item by its index, dot-joined, as every other field error (files.1.fileSize)', async () => {
    // act
    const response = await call('sessionUpload', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body: { files: [{ fileName: 'ok.txt', fileSize: 1 }, { fileName: 'b.txt', fileSize: 1e20 }] },
    });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200013, property: 'files.1.fileSize', message: 'FILE_SIZE_NOT_VALID', maximum: 5 * 1024 ** 3 }]);
  });
});

describe('values that disagree', () => {
  it('refuses fileSize 5 with size 7, naming `size` (422 CONFLICTING_VALUE)', async () => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await upload({ fileName: 'a.txt', contentType: 'text/plain', fileSize: 5, size: 7 });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200033, property: 'size', message: 'CONFLICTING_VALUE' }]);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('accepts fileSize and size that agree', async () => {
    // act
    const response = await upload({ fileName: 'agree.txt', contentType: 'text/plain', fileSize: 5, size: 5 });

    // assess
    expectApillonSuccess(response, 201);
  });

  it('refuses a session file whose fileSize and size differ, naming it', async () => {
    // act
    const response = await call('sessionUpload', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body: { files: [{ fileName: 'ok.txt', fileSize: 1 }, { fileName: 'b.txt', fileSize: 1, size: 2 }] },
    });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200033, property: 'files.1.size', message: 'CONFLICTING_VALUE' }]);
  });

  it('refuses page together with nextToken (422 CONFLICTING_VALUE on `page`)', async () => {
    // act
    const response = await call('content', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, query: { page: '2', nextToken: 'x' } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200033, property: 'page', message: 'CONFLICTING_VALUE' }]);
  });
});

describe('parameters a route cannot use', () => {
  it('GET /storage/buckets?nextToken=garbage answers 422 NEXT_TOKEN_NOT_VALID, like the other listings', async () => {
    // act
    const response = await call('bucketsList', { headers: tenant.headers.basic, query: { nextToken: 'garbage' } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
  });

  it('GET /storage/buckets pages with nextToken, each bucket once', async () => {
    // prepare
    const owner = await createTestTenant(services);
    for (const name of ['b-two', 'b-three']) expectApillonSuccess(await call('bucketCreate', { headers: owner.headers.basic, body: { name } }), 201);

    // act
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call('bucketsList', { headers: owner.headers.basic, query: { limit: '1', orderBy: 'name', ...(nextToken ? { nextToken } : {}) } });
      expectApillonSuccess(page);
      seen.push(...page.body.data.items.map((bucket: { name: string }) => bucket.name));
      nextToken = page.body.data.nextToken;
    } while (nextToken);

    // assess
    expect(seen).toEqual(['b-three', 'b-two', owner.bucket.name].sort());
  });

  it.each([
    ['content', 'directoryUuid', '00000000-0000-4000-8000-000000000000'],
    ['bucketContent', 'directoryId', '5'],
    ['bucketFiles', 'search', 'x'],
    ['bucketFiles', 'orderBy', 'name'],
    ['bucketsList', 'status', '5'],
    ['bucketGet', 'foo', '1'],
  ] as const)('%s refuses the parameter %s (422 PARAMETER_NOT_SUPPORTED naming it)', async (route, name, value) => {
    // act
    const response = await call(route, { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, query: { [name]: value } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200032, property: name, message: 'PARAMETER_NOT_SUPPORTED' }]);
  });

  it('refuses search with markedForDeletion=true on the SDK content route', async () => {
    // act
    const response = await call('bucketContent', {
      params: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      query: { markedForDeletion: 'true', search: 'a' },
    });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200032, property: 'search', message: 'PARAMETER_NOT_SUPPORTED' }]);
  });

  it('refuses a repeated query parameter, naming it (422 PARAMETER_REPEATED)', async () => {
    // act
    const response = await invokeWithRawQuery('orderBy=name&orderBy=size');

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200034, property: 'orderBy', message: 'PARAMETER_REPEATED' }]);
  });

  it('refuses more desc flags than orderBy fields (422 DESC_NOT_VALID)', async () => {
    // act
    const response = await call('content', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, query: { orderBy: 'name', desc: 'true,false' } });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors[0]).toMatchObject({ property: 'desc', message: 'DESC_NOT_VALID' });
  });
});

describe('routes that take no body', () => {
  it.each([
    ['malformed JSON', 'application/json', '{oops'],
    ['a form body', 'application/x-www-form-urlencoded', 'a=b'],
  ])('GET /storage/buckets/:bucketUuid ignores %s', async (_, contentType, body) => {
    // act
    const response = await call('bucketGet', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: { ...tenant.headers.basic, 'content-type': contentType }, body });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data.bucketUuid).toBe(tenant.bucket.bucketUuid);
  });
});

/** The seed's content listing with a raw query string (repeats and escapes exactly as sent). */
function invokeWithRawQuery(rawQueryString: string) {
  const event = httpEvent({
    method: 'GET',
    path: '/storage/{bucketUuid}/content',
    rawPath: `/storage/${tenant.bucket.bucketUuid}/content`,
    headers: tenant.headers.basic,
    pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
  });
  return invoke(handlers.content, { ...event, rawQueryString });
}

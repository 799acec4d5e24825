import { describe, expect } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { MAX_JSON_BODY_BYTES } from '../../lib/http/middleware/json-body';
import { route } from '../../lib/app/route';
import type { Surface } from '../../lib/http/render';
import type { Services } from '../../lib/app/services';
import { invoke } from '../support/events';
import { expectApillonError, expectApillonSuccess, expectQuantumError, expectQuantumSuccess } from '../support/envelopes';
import { tenantTest } from '../support/fixtures';
import type { TestTenant } from '../support/services';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const uploadSchema = z.object({
  fileName: z.string({ error: 'FILE_NAME_NOT_PRESENT' }).min(1, { error: 'FILE_NAME_NOT_PRESENT' }),
  contentType: z.string({ error: 'FILE_CONTENT_TYPE_NOT_PRESENT' }),
  size: z.number().int().positive().optional(),
});

/** Routes on the real stack that echo what the stack handed them, or fail on purpose. */
function routes(surface: Surface) {
  const getServices = () => services;
  return {
    echo: route({ surface, services: getServices, schemas: { body: z.unknown() } }, async ({ body }) => ({ data: { body } })),
    upload: route(
      {
        surface,
        services: getServices,
        model: 'CreateUploadRequestDto',
        schemas: { body: uploadSchema, query: z.object({ limit: z.coerce.number().int().max(1000).default(20) }) },
      },
      async ({ body, query }) => ({ status: 201, message: 'Upload accepted', data: { fileName: body.fileName, limit: query.limit } }),
    ),
    crash: route({ surface, services: getServices }, async () => {
      throw new Error('secret internals: table storage-prod at /var/task/lib/x.ts');
    }),
    notFound: route({ surface, services: getServices }, async () => {
      throw new AppError('fileNotFound');
    }),
    noData: route({ surface, services: getServices }, async () => ({ message: 'Done' })),
    raw: route({ surface, services: getServices }, async () => ({
      response: { statusCode: 302, headers: { location: 'https://example.test/x' }, body: '' },
    })),
  };
}

const apillon = routes('apillon');
const quantum = routes('quantum');

describe('JSON bodies', () => {
  it('rejects malformed JSON with 400 40000005 (Apillon)', async () => {
    // act
    const response = await invoke(apillon.echo, {
      method: 'POST',
      rawPath: '/echo',
      headers: { ...tenant.headers.basic, 'content-type': 'application/json' },
      body: '{"fileName": ',
    });

    // assess
    expectApillonError(response, { status: 400, code: 40000005, message: 'MALFORMED_JSON_BODY', path: '/echo' });
  });

  it('rejects malformed JSON with 400 on the Quantum surface', async () => {
    // act
    const response = await invoke(quantum.echo, {
      method: 'POST',
      rawPath: '/echo',
      headers: { ...tenant.headers.master, 'content-type': 'application/json' },
      body: '{oops}',
    });

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_REQUEST' });
  });

  it('rejects a JSON body declared as multipart with 415', async () => {
    // act
    const response = await invoke(apillon.echo, {
      method: 'POST',
      rawPath: '/echo',
      headers: { ...tenant.headers.basic, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '{"fileName": "a.txt"}',
    });

    // assess
    expectApillonError(response, { status: 415, code: 41500001, message: 'UNSUPPORTED_CONTENT_TYPE' });
  });

  it('rejects a body over the JSON size limit with 413', async () => {
    // act
    const response = await invoke(apillon.echo, {
      method: 'POST',
      rawPath: '/echo',
      headers: tenant.headers.basic,
      body: { padding: 'x'.repeat(MAX_JSON_BODY_BYTES) },
    });

    // assess
    expectApillonError(response, {
      status: 413,
      code: 41300001,
      message: 'REQUEST_BODY_TOO_LARGE',
      details: { limitBytes: MAX_JSON_BODY_BYTES, sizeBytes: MAX_JSON_BODY_BYTES + 14, reason: expect.stringContaining(`at most ${MAX_JSON_BODY_BYTES} bytes`) },
    });
  });

  it.each([
    ['application/json; charset=utf-8', '{"a":1}', false],
    ['application/vnd.api+json', '{"a":1}', false],
    ['', '{"a":1}', false],
    ['application/json', Buffer.from('{"a":1}').toString('base64'), true],
  ])('parses a JSON body sent as %j (base64: %s)', async (contentType, body, isBase64Encoded) => {
    // act
    const response = await invoke(apillon.echo, {
      method: 'POST',
      rawPath: '/echo',
      headers: { ...tenant.headers.basic, 'content-type': contentType },
      body,
      isBase64Encoded,
    });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toEqual({ body: { a: 1 } });
  });

  it('treats an empty body as {}', async () => {
    // act
    const response = await invoke(apillon.echo, { method: 'POST', rawPath: '/echo', headers: tenant.headers.basic, body: '' });

    // assess
    expect(response.body.data).toEqual({ body: {} });
  });
});

describe('validation', () => {
  it('answers 422 with the model and one entry per offending property (Apillon)', async () => {
    // act
    const response = await invoke(apillon.upload, {
      method: 'POST',
      rawPath: '/storage/x/upload',
      headers: tenant.headers.basic,
      body: { size: -1 },
    });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body).toEqual({
      id: response.headers['x-request-id'],
      model: 'CreateUploadRequestDto',
      errors: [
        { code: 42200008, property: 'fileName', message: 'FILE_NAME_NOT_PRESENT' },
        { code: 42200009, property: 'contentType', message: 'FILE_CONTENT_TYPE_NOT_PRESENT' },
        // The bound the value broke, beside the unchanged message.
        { code: 42200000, property: 'size', message: 'SIZE_NOT_VALID', minimum: 0 },
      ],
      path: '/storage/x/upload',
      timestamp: expect.any(String),
    });
  });

  it('validates the query string too', async () => {
    // act
    const response = await invoke(apillon.upload, {
      method: 'POST',
      rawPath: '/storage/x/upload',
      headers: tenant.headers.basic,
      query: { limit: 'many' },
      body: { fileName: 'a.txt', contentType: 'text/plain' },
    });

    // assess
    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ code: 42200000, property: 'limit', message: 'LIMIT_NOT_VALID' }]);
  });

  it('answers 400 INVALID_REQUEST on the Quantum surface, naming the offending fields in data.errors', async () => {
    // act
    const response = await invoke(quantum.upload, { method: 'POST', rawPath: '/x', headers: tenant.headers.master, body: {} });

    // assess
    expectQuantumError(response, {
      status: 400,
      message: 'INVALID_REQUEST',
      data: {
        errors: [
          { property: 'fileName', message: 'FILE_NAME_NOT_PRESENT' },
          { property: 'contentType', message: 'FILE_CONTENT_TYPE_NOT_PRESENT' },
        ],
      },
    });
  });

  it('hands the handler the parsed values (with defaults) when valid', async () => {
    // act
    const response = await invoke(apillon.upload, {
      method: 'POST',
      rawPath: '/storage/x/upload',
      headers: tenant.headers.basic,
      body: { fileName: 'a.txt', contentType: 'text/plain' },
    });

    // assess
    expectApillonSuccess(response, 201);
    expect(response.body.data).toEqual({ fileName: 'a.txt', limit: 20 });
  });
});

describe('errors', () => {
  it('renders an unexpected error as 500 without internals (Apillon)', async () => {
    // act
    const response = await invoke(apillon.crash, { rawPath: '/crash', headers: tenant.headers.basic });

    // assess
    expectApillonError(response, { status: 500, code: 50000001, message: 'INTERNAL_SERVER_ERROR', path: '/crash' });
    expect(response.rawBody).not.toMatch(/secret internals|storage-prod|\/var\/task|\.ts|\bat\s/);
  });

  it('renders an unexpected error as 500 SERVER_ERROR without internals (Quantum)', async () => {
    // act
    const response = await invoke(quantum.crash, { rawPath: '/crash', headers: tenant.headers.master });

    // assess
    expectQuantumError(response, { status: 500, message: 'SERVER_ERROR' });
    expect(response.rawBody).not.toMatch(/secret internals|storage-prod/);
  });

  it('renders a catalogue error in each surface’s shape', async () => {
    // act
    const [onApillon, onQuantum] = await Promise.all([
      invoke(apillon.notFound, { rawPath: '/storage/b/file/x/detail', headers: tenant.headers.basic }),
      invoke(quantum.notFound, { rawPath: '/file/get/b/x', headers: tenant.headers.master }),
    ]);

    // assess
    expectApillonError(onApillon, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS', path: '/storage/b/file/x/detail' });
    expectQuantumError(onQuantum, { status: 404, message: 'FILE_DNE' });
  });
});

describe('success envelopes and request ids', () => {
  it('wraps Apillon data as {id, status, data}', async () => {
    // act
    const response = await invoke(apillon.echo, { method: 'POST', rawPath: '/echo', headers: tenant.headers.basic, body: { a: 1 } });

    // assess
    expectApillonSuccess(response);
    expect(response.body).toEqual({ id: response.headers['x-request-id'], status: 200, data: { body: { a: 1 } } });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('gives Apillon an empty data object when the handler returns none', async () => {
    // act
    const response = await invoke(apillon.noData, { rawPath: '/x', headers: tenant.headers.basic });

    // assess
    expect(response.body.data).toEqual({});
  });

  it('wraps Quantum data as {status: "success", message, data}', async () => {
    // act
    const response = await invoke(quantum.upload, {
      method: 'POST',
      rawPath: '/x',
      headers: tenant.headers.master,
      body: { fileName: 'a.txt', contentType: 'text/plain' },
    });

    // assess
    expectQuantumSuccess(response, 201);
    expect(response.body).toEqual({ status: 'success', message: 'Upload accepted', data: { fileName: 'a.txt', limit: 20 } });
  });

  it('leaves `data` out of a Quantum answer that has none', async () => {
    // act
    const response = await invoke(quantum.noData, { rawPath: '/x', headers: tenant.headers.master });

    // assess
    expect(response.body).toEqual({ status: 'success', message: 'Done' });
  });

  it('passes a finished response through, still stamped with the request id', async () => {
    // act
    const response = await invoke(apillon.raw, { rawPath: '/x', headers: tenant.headers.basic });

    // assess
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('https://example.test/x');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every request its own id', async () => {
    // act
    const responses = await Promise.all(
      [1, 2, 3].map(() => invoke(apillon.noData, { rawPath: '/x', headers: tenant.headers.basic })),
    );

    // assess
    const ids = responses.map((response) => response.headers['x-request-id']);
    expect(new Set(ids).size).toBe(3);
    expect(responses.map((response) => response.body.id)).toEqual(ids);
  });
});

/**
 * docs/openapi.json: current (what `npm run openapi:generate` builds from the routes,
 * schemas and error catalogue), valid OpenAPI 3.1, complete (every function.yml route), and
 * kept by the service: real handlers' answers, success and error, on both surfaces, match it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect } from 'vitest';
import { handler as openApi } from '../../functions/docs/openapi/handler';
import { handler as status } from '../../functions/quantum/status/handler';
import { buildDocument, openApiPath, routeTable } from '../../scripts/openapi/document';
import { functionDeclarations } from '../../scripts/openapi/declarations';
import { permissionName } from '../../lib/core/access/principal';
import { invoke, type InvokeResult } from '../support/events';
import { tenantTest } from '../support/fixtures';
import { contractViolation, openApiDocument } from '../support/openapi-contract';
import type { TestTenant } from '../support/services';
import { call } from './apillon/helpers';
import { addFiles, quantum, routeEvent } from './quantum/support';

const it = tenantTest();

let tenant: TestTenant;

it.beforeAll(({ tenant: t }) => {
  tenant = t;
});

function expectContract(routeKey: string, response: InvokeResult): void {
  expect(contractViolation(routeKey, response)).toBeUndefined();
}

describe('docs/openapi.json', () => {
  it('is what `npm run openapi:generate` builds now', async () => {
    // act
    const generated = `${JSON.stringify(await buildDocument(), null, 2)}\n`;

    // assess
    expect(generated === readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'), 'run `npm run openapi:generate`').toBe(true);
  });

  it('validates as OpenAPI 3.1', async () => {
    // act
    const validator = new Validator();
    const result = await validator.validate(structuredClone(openApiDocument));

    // assess
    expect(result).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
  });

  it('has an operation for every HTTP route of every function.yml (the Quantum ANY catch-all aside)', () => {
    // prepare
    const routes = routeTable().filter((route) => route.method !== 'ANY');

    // act
    const missing = routes.filter((route) => !openApiDocument.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]);

    // assess
    expect(routes.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});

describe('the handlers keep the contract', () => {
  it('Apillon: successes (200, 201), catalogue errors and the 422 validation error', async () => {
    // act
    const created = await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 'contract' } });
    const invalid = await call('bucketCreate', { headers: tenant.headers.basic, body: { name: 7 } });
    const listed = await call('bucketsList', { headers: tenant.headers.basic });
    const unauthenticated = await call('bucketsList', {});
    const missing = await call('bucketGet', { headers: tenant.headers.basic, params: { bucketUuid: '00000000-0000-4000-8000-000000000000' } });
    const upload = await call('uploadRequest', { headers: tenant.headers.basic, params: { bucketUuid: tenant.bucket.bucketUuid }, body: { fileName: 'a.txt', contentType: 'text/plain' } });
    const content = await call('content', { headers: tenant.headers.basic, params: { bucketUuid: tenant.bucket.bucketUuid } });
    const info = await call('info', { headers: tenant.headers.basic });

    // assess
    expect([created, invalid, listed, unauthenticated, missing, upload, content, info].map((r) => r.statusCode)).toEqual([201, 422, 200, 400, 404, 201, 200, 200]);
    expectContract('POST /storage/buckets', created);
    expectContract('POST /storage/buckets', invalid);
    expectContract('GET /storage/buckets', listed);
    expectContract('GET /storage/buckets', unauthenticated);
    expectContract('GET /storage/buckets/{bucketUuid}', missing);
    expectContract('POST /storage/{bucketUuid}/upload', upload);
    expectContract('GET /storage/{bucketUuid}/content', content);
    expectContract('GET /storage/info', info);
  });

  it('Quantum: successes and catalogue errors', async () => {
    // prepare
    const master = tenant.headers.master;
    const bucket = `contract-${Date.now()}`;

    // act
    const health = await invoke(status, routeEvent({ method: 'GET', route: '/status' }));
    const created = await invoke(quantum.bucketCreate, routeEvent({ method: 'POST', route: '/bucket/create/{bucket}', params: { bucket }, headers: master }));
    const exists = await invoke(quantum.bucketCreate, routeEvent({ method: 'POST', route: '/bucket/create/{bucket}', params: { bucket }, headers: master }));
    const listed = await invoke(quantum.bucketList, routeEvent({ method: 'GET', route: '/bucket', headers: master }));
    const added = await addFiles(master, bucket, 'docs', [{ name: 'a.txt', content: 'a' }]);
    const token = await invoke(quantum.fileGet, routeEvent({ method: 'GET', route: '/file/get/{bucket}/{location+}', params: { bucket, location: 'docs/a.txt' }, headers: master }));
    const missing = await invoke(quantum.fileGet, routeEvent({ method: 'GET', route: '/file/get/{bucket}/{location+}', params: { bucket, location: 'nope.txt' }, headers: master }));
    const quota = await invoke(quantum.fileQuota, routeEvent({ method: 'GET', route: '/file/quota', headers: {} }));

    // assess
    expect([health, created, exists, listed, added, token, missing, quota].map((r) => r.statusCode)).toEqual([200, 200, 400, 200, 200, 200, 404, 401]);
    expectContract('GET /API/status', health);
    expectContract('POST /API/bucket/create/{bucket}', created);
    expectContract('POST /API/bucket/create/{bucket}', exists);
    expectContract('GET /API/bucket', listed);
    expectContract('POST /API/file/add/{bucket}/{location+}', added);
    expectContract('GET /API/file/get/{bucket}/{location+}', token);
    expectContract('GET /API/file/get/{bucket}/{location+}', missing);
    expectContract('GET /API/file/quota', quota);
  });

  it('the reference itself: GET /openapi.json answers the document, GET /docs the Swagger UI page, an unknown asset the 404 page', async () => {
    // act
    const json = await invoke(openApi, { method: 'GET', rawPath: '/openapi.json', path: '/openapi.json' });
    const page = await invoke(openApi, { method: 'GET', rawPath: '/docs', path: '/docs' });
    const missing = await invoke(openApi, { method: 'GET', rawPath: '/docs/assets/nope.js', path: '/docs/{proxy+}' });

    // assess
    expectContract('GET /openapi.json', json);
    expectContract('GET /docs', page);
    expectContract('GET /docs/{proxy+}', missing);
    expect(json.body).toEqual(openApiDocument);
    expect(page.rawBody).toContain('<div id="swagger-ui"></div>');
    expect(page.rawBody).not.toMatch(/https?:\/\//);
    expect(missing.statusCode).toBe(404);
  });

  it('documents per operation only the errors it declares, with an example of each', () => {
    // prepare
    const operation = openApiDocument.paths['/storage/buckets']!.get!.responses as Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
    const download = openApiDocument.paths['/API/file/download/{token}']!.get!.responses as Record<string, { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>;

    // assess
    expect(Object.keys(operation).sort()).toEqual(['200', '400', '401', '403', '422', '500', '503']);
    expect(Object.keys(operation['403']!.content!['application/json']!.examples!)).toEqual(['missingPermission']);
    expect(download['400']!.content!['application/json']!.examples!.invalidDownloadToken!.value).toEqual({ status: 'error', message: 'INVALID_TOKEN' });
    expect(Object.keys(download)).not.toContain('401');
  });

  it('names in each 403 the permission its route checks (Quantum file/add: KEY_EXECUTE, file/get: KEY_READ, file/mkdir: KEY_WRITE)', async () => {
    // prepare: every route whose stack checks a permission (RouteSpec.permission)
    const checked = (await functionDeclarations()).filter((declaration) => declaration.spec.permission !== undefined);
    const said = (route: { method: string; path: string }) => {
      const responses = openApiDocument.paths[openApiPath(route.path)]![route.method.toLowerCase() as 'get']!.responses as Record<string, { description: string }>;
      return responses['403']!.description;
    };

    // assess
    expect(checked.map((declaration) => declaration.site)).toEqual(expect.arrayContaining(['quantum/file-add', 'quantum/file-get', 'quantum/file-mkdir', 'quantum/upload-create']));
    for (const declaration of checked) {
      const name = permissionName(declaration.spec.permission!);
      for (const route of declaration.routes) {
        expect(said(route), `${route.method} ${route.path}`).toContain(`missing ${name} permission`);
        expect(said(route).match(/missing KEY_\w+ permission/g), `${route.method} ${route.path}`).toEqual([`missing ${name} permission`]);
      }
    }
    expect(said({ method: 'POST', path: '/API/file/add/{bucket}/{location+}' })).toContain('missing KEY_EXECUTE permission');
  });

  it('gives as the gateway’s 422 examples the field codes it answers (its schemas’ and PARAMETER_REPEATED), not PARAMETER_NOT_SUPPORTED', async () => {
    // prepare
    const examples = (openApiDocument.paths['/ipfs/{cid}']!.get!.responses as Record<string, { content: Record<string, { examples: Record<string, { value: { errors: { code: number; message: string }[] } }> }> }>)['422']!
      .content['application/json']!.examples;
    const documented = Object.values(examples).flatMap((example) => example.value.errors.map((error) => error.message));

    // act: the gateway's own refusals of a bad CID and a bad format
    const badCid = await call('ipfsGateway', { params: { cid: 'not-a-cid' } });
    const badFormat = await call('ipfsGateway', { params: { cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }, query: { format: 'zip' } });

    // assess
    expect(documented.sort()).toEqual(['CID_NOT_VALID', 'FORMAT_NOT_VALID', 'PARAMETER_REPEATED']);
    expect([badCid.statusCode, badFormat.statusCode]).toEqual([422, 422]);
    expect(documented).toContain(badCid.body.errors[0].message);
    expect(documented).toContain(badFormat.body.errors[0].message);
    expectContract('GET /ipfs/{cid}', badCid);
  });

  it('a body that breaks the contract is caught (the check can fail)', () => {
    // act
    const wrong = contractViolation('GET /storage/buckets', { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { status: 200, data: {} }, rawBody: '{"status":200,"data":{}}' });
    const undocumented = contractViolation('GET /storage/buckets', { statusCode: 418, headers: {}, body: undefined, rawBody: '' });

    // assess
    expect(wrong).toMatch(/must have required property 'id'/);
    expect(undocumented).toMatch(/418/);
  });
});

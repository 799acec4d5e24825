import { afterAll, describe, expect } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectQuantumError } from '../../support/envelopes';
import { httpEvent, invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';
import { quantum, routeEvent, snapshot } from './support';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});
afterAll(() => setServicesForTests(undefined));

/**
 * A request as API Gateway hands it to this function: matched by the `ANY <template>`
 * route (that is its routeKey), with the client's method and path.
 */
function anyRouteEvent(method: string, template: string, rawPath: string, init: { headers?: Record<string, string>; pathParameters?: Record<string, string> } = {}) {
  const event = httpEvent({ method, path: template, rawPath, headers: init.headers, pathParameters: init.pathParameters });
  return { ...event, routeKey: `ANY ${template}`, requestContext: { ...event.requestContext, routeKey: `ANY ${template}` } };
}

describe('a wrong method on a Quantum path', () => {
  it.each([
    ['GET', '/file/add/{bucket}/{location+}'],
    ['DELETE', '/bucket'],
    ['PUT', '/file/download/{token}'],
    ['POST', '/file/quota'],
  ])('%s %s answers 405 REQ_METHOD_INVALID without any key', async (method, route) => {
    // act
    const response = await invoke(quantum.methodNotAllowed, routeEvent({ method, route, params: { bucket: 'b', location: 'x', token: 't' } }));

    // assess
    expectQuantumError(response, { status: 405, message: 'REQ_METHOD_INVALID' });
  });

  it('does not read the body of the refused request', async () => {
    // act
    const response = await invoke(
      quantum.methodNotAllowed,
      routeEvent({ method: 'PATCH', route: '/bucket', headers: { 'content-type': 'application/json', 'x-api-mkey': 'mk_junk' }, body: '{not json' }),
    );

    // assess
    expectQuantumError(response, { status: 405, message: 'REQ_METHOD_INVALID' });
    expect(response.body).toEqual({ status: 'error', message: 'REQ_METHOD_INVALID' });
  });
});

describe('a Quantum path without its bucket, location or token', () => {
  it.each([
    ['POST', '/API/file/mkdir/{bucket}', '/API/file/mkdir/photos'],
    ['POST', '/file/mkdir/{bucket}', '/file/mkdir/photos'],
    ['POST', '/API/file/remove/{bucket}', '/API/file/remove/photos'],
    ['POST', '/file/remove/{bucket}', '/file/remove/photos'],
    ['GET', '/API/file/get/{bucket}', '/API/file/get/photos'],
    ['GET', '/file/get/{bucket}', '/file/get/photos'],
    ['POST', '/API/file/mkdir', '/API/file/mkdir'],
    ['POST', '/API/file/add', '/API/file/add'],
    ['GET', '/file/get', '/file/get'],
    ['POST', '/API/bucket/create', '/API/bucket/create'],
    ['POST', '/bucket/remove', '/bucket/remove'],
    ['POST', '/API/token/create', '/API/token/create'],
    ['POST', '/token/remove', '/token/remove'],
  ])('the right method, %s %s, answers 400 INVALID_PATH without any key', async (method, template, rawPath) => {
    // act
    const response = await invoke(quantum.methodNotAllowed, anyRouteEvent(method, template, rawPath, { pathParameters: { bucket: 'photos' } }));

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
  });

  it.each([
    ['/API/file/download'],
    ['/file/download'],
  ])('GET %s without a token answers 400 INVALID_TOKEN', async (template) => {
    // act
    const response = await invoke(quantum.methodNotAllowed, anyRouteEvent('GET', template, template));

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_TOKEN' });
  });

  it.each([
    ['GET', '/API/file/mkdir/{bucket}', '/API/file/mkdir/photos'],
    ['DELETE', '/file/remove/{bucket}', '/file/remove/photos'],
    ['POST', '/API/file/get/{bucket}', '/API/file/get/photos'],
    ['PUT', '/API/file/download', '/API/file/download'],
    ['GET', '/bucket/create', '/bucket/create'],
    ['PATCH', '/API/token/create', '/API/token/create'],
  ])('a wrong method, %s %s, still answers 405 REQ_METHOD_INVALID', async (method, template, rawPath) => {
    // act
    const response = await invoke(quantum.methodNotAllowed, anyRouteEvent(method, template, rawPath, { pathParameters: { bucket: 'photos' } }));

    // assess
    expectQuantumError(response, { status: 405, message: 'REQ_METHOD_INVALID' });
  });

  it('stores nothing for a location-less mkdir or remove with a valid master key', async () => {
    // prepare
    const bucketName = tenant.bucket.name;
    const bucket = (await services.buckets.getByName(tenant.accountId, bucketName))!;
    const before = await snapshot(services, bucket);

    // act
    const responses = await Promise.all(
      ['/API/file/mkdir/{bucket}', '/API/file/remove/{bucket}'].map((template) =>
        invoke(
          quantum.methodNotAllowed,
          anyRouteEvent('POST', template, template.replace('{bucket}', encodeURIComponent(bucketName)), {
            headers: tenant.headers.master,
            pathParameters: { bucket: bucketName },
          }),
        ),
      ),
    );

    // assess
    for (const response of responses) expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect(await snapshot(services, bucket)).toEqual(before);
    expect(await services.buckets.getByName(tenant.accountId, bucketName)).toEqual(bucket);
  });

  it.each([
    ['fileMkdir', 'POST', '/file/mkdir/{bucket}/{location+}'],
    ['fileRemove', 'POST', '/file/remove/{bucket}/{location+}'],
    ['fileGet', 'GET', '/file/get/{bucket}/{location+}'],
  ] as const)('the %s endpoint itself answers 400 INVALID_PATH when a router hands it no location', async (name, method, route) => {
    // prepare: serverless-offline's router lets `{location+}` match nothing, API Gateway's does not
    const bucket = (await services.buckets.getByName(tenant.accountId, tenant.bucket.name))!;
    const before = await snapshot(services, bucket);

    // act
    const response = await invoke(quantum[name], routeEvent({ method, route, params: { bucket: bucket.name }, headers: tenant.headers.master }));

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect(await snapshot(services, bucket)).toEqual(before);
  });
});

/**
 * API Gateway's catch-all route (`$default`): a path no route has answers 404 ROUTE_NOT_FOUND
 * in the shape of its surface, from the function that serves every unserved request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as unserved } from '../../functions/quantum/method-not-allowed/handler';
import { setServicesForTests } from '../../lib/app/services';
import { ERRORS } from '../../lib/errors';
import { surfaceOfPath, unservedRequestError } from '../../lib/quantum/routes';
import { routeTable } from '../../scripts/openapi/routes';
import { expectApillonError, expectQuantumError } from '../support/envelopes';
import { httpEvent, invoke } from '../support/events';
import { testServices } from '../support/services';

beforeAll(async () => setServicesForTests(await testServices()));
afterAll(() => setServicesForTests(undefined));

/** A request as API Gateway hands it to the `$default` route: no path parameters, routeKey `$default`. */
function defaultRouteEvent(method: string, rawPath: string) {
  const event = httpEvent({ method, rawPath });
  return { ...event, routeKey: '$default', requestContext: { ...event.requestContext, routeKey: '$default' } };
}

describe('the $default route', () => {
  it.each([
    ['GET', '/storage/no-such-route'],
    ['DELETE', '/storage/buckets'],
    ['POST', '/ipfs/bafy/extra/segments'],
    ['GET', '/'],
    ['GET', '/favicon.ico'],
  ])('%s %s answers 404 ROUTE_NOT_FOUND in the Apillon shape', async (method, rawPath) => {
    // act
    const response = await invoke(unserved, defaultRouteEvent(method, rawPath));

    // assess
    expectApillonError(response, { status: 404, code: 40400001, message: 'ROUTE_NOT_FOUND', path: rawPath });
  });

  it.each([
    ['GET', '/API/no-such-route'],
    ['POST', '/API/file/nothing/b/x/extra'],
    ['GET', '/file/unknown'],
    ['GET', '/bucket/list/more'],
  ])('%s %s answers 404 NOT_FOUND in the Quantum shape', async (method, rawPath) => {
    // act
    const response = await invoke(unserved, defaultRouteEvent(method, rawPath));

    // assess
    expectQuantumError(response, { status: 404, message: 'NOT_FOUND' });
  });

  it('is the only way to a wrong method on an Apillon path (API Gateway routes no other method there): methodNotAllowed is Quantum only', () => {
    // prepare: the routes the catch-all function serves besides `$default` (its `ANY` routes)
    const anyRoutes = routeTable().filter((route) => route.name === 'method-not-allowed');

    // assess
    expect(anyRoutes.length).toBeGreaterThan(0);
    expect(anyRoutes.filter((route) => surfaceOfPath(route.path) !== 'quantum')).toEqual([]);
    expect(unservedRequestError('$default', 'DELETE')).toBe('routeNotFound');
    expect(ERRORS.methodNotAllowed.quantumOnly).toBe(true);
  });

  it('answers HEAD with the status and headers only', async () => {
    // act
    const response = await invoke(unserved, defaultRouteEvent('HEAD', '/storage/nothing'));

    // assess
    expect(response.statusCode).toBe(404);
    expect(response.rawBody).toBe('');
    expect(response.headers['content-type']).toContain('application/json');
  });
});

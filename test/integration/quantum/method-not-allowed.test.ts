import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests } from '../../../lib/services';
import { expectQuantumError } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { testServices } from '../../support/services';
import { quantum, routeEvent } from './support';

beforeAll(async () => setServicesForTests(await testServices()));
afterAll(() => setServicesForTests(undefined));

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

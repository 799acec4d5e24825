/** `GET /storage/ipfs-cluster-info`: the SDK's getIpfsClusterInfo. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../../../lib/core/access/principal';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectApillonError, expectApillonSuccess } from '../../support/envelopes';
import { createTestApiKey, createTestTenant, testServices } from '../../support/services';
import { call } from './helpers';

let services: Services;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
});

describe('GET /storage/ipfs-cluster-info', () => {
  it('answers the fields of the SDK’s IpfsClusterInfo: the gateways of this service, no secret', async () => {
    // prepare
    const owner = await createTestTenant(services);

    // act
    const response = await call('ipfsClusterInfo', { headers: owner.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toEqual({
      secret: '',
      projectUuid: owner.accountId,
      ipfsGateway: 'http://api.test.local/ipfs/',
      ipnsGateway: 'http://api.test.local/ipns/',
    });
  });

  it('needs KEY_READ', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const key = await createTestApiKey(services, owner.accountId, [Permission.EXECUTE]);

    // act
    const response = await call('ipfsClusterInfo', { headers: { authorization: key.authorization } });

    // assess
    expectApillonError(response, { status: 403, code: 40300000, message: 'Insufficient permissions - missing KEY_READ permission' });
  });
});

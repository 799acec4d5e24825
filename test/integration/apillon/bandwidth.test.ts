/** Bandwidth in `GET /storage/info`: bytes the gateway and Quantum downloads served, per account and month. */
import { beforeAll, describe, expect, it } from 'vitest';
import { bandwidthMonth, recordBandwidth } from '../../../lib/core/read/bandwidth';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectApillonSuccess } from '../../support/envelopes';
import { createTestBucket, createTestTenant, testServices } from '../../support/services';
import { addFiles, download, fileToken } from '../quantum/support';
import { call, uploadFile } from './helpers';

let services: Services;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
});

describe('bandwidth in GET /storage/info', () => {
  it('starts at 0 used and the whole monthly allowance available, as numbers', async () => {
    // prepare
    const owner = await createTestTenant(services);

    // act
    const response = await call('info', { headers: owner.headers.basic });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data).toMatchObject({ usedBandwidth: 0, availableBandwidth: 10 * 1024 ** 3, totalBandwidth: 10 * 1024 ** 3 });
  });

  it('counts the bytes the gateway serves for the owner of the file, not for other accounts', async () => {
    // prepare
    const owner = await createTestTenant(services, { publicBucket: true });
    const other = await createTestTenant(services);
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'seventeen.txt', bytes: 'seventeen bytes!!' });
    const { cidV1 } = (await services.entries.get(uploaded.fileUuid))!;

    // act
    for (let i = 0; i < 3; i += 1) expect((await call('ipfsGateway', { params: { cid: cidV1! } })).statusCode).toBe(200);
    const [mine, theirs] = await Promise.all([call('info', { headers: owner.headers.basic }), call('info', { headers: other.headers.basic })]);

    // assess
    expect(mine.body.data.usedBandwidth).toBe(3 * 17);
    expect(theirs.body.data.usedBandwidth).toBe(0);
  });

  it('counts Quantum downloads', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const bucket = await createTestBucket(services, owner.accountId);
    await addFiles(owner.headers.master, bucket.name, 'bw', [{ name: 'twelve.bin', content: 'twelve bytes' }]);
    const token = await fileToken(owner.headers.master, bucket.name, 'bw/twelve.bin');

    // act
    expect((await download(token)).statusCode).toBe(200);
    const response = await call('info', { headers: owner.headers.basic });

    // assess
    expect(response.body.data.usedBandwidth).toBe(12);
    expect(response.body.data.availableBandwidth).toBe(10 * 1024 ** 3 - 12);
  });

  it('adds concurrent records exactly (atomic ADD) and keeps months apart', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const november = new Date('2026-11-15T12:00:00Z');
    const december = new Date('2026-12-01T00:00:00Z');

    // act
    await Promise.all(Array.from({ length: 20 }, () => recordBandwidth(services, owner.accountId, 1000, november)));
    await recordBandwidth(services, owner.accountId, 7, december);

    // assess
    expect(await services.bandwidth.get(owner.accountId, bandwidthMonth(november))).toBe(20_000);
    expect(await services.bandwidth.get(owner.accountId, '2026-12')).toBe(7);
  });
});

/**
 * Bandwidth counts what a download answer hands out (lib/http/serve-file.ts `bytesSent`):
 * the body of a 200, the range of a 206, behind a 302 what the client fetches from S3
 * (its range, else the file), nothing for HEAD or 304; on `/ipfs/`, `/ipns/` and Quantum downloads.
 */
import { describe, expect } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { handler as ipnsGateway } from '../../../functions/apillon/ipns-gateway/handler';
import { handler as fileDownload } from '../../../functions/quantum/file-download/handler';
import { bandwidthMonth } from '../../../lib/core/read/bandwidth';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/core/ports/storage';
import type { Services } from '../../../lib/app/services';
import { answerOf } from '../../support/downloads';
import { httpEvent } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, fileToken, routeEvent } from '../quantum/support';
import { call, prngBytes, uploadFile } from './helpers';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

/** A public tenant of its own (a counter of its own) with one stored file; its CIDv1. */
async function ownerWith(bytes: Uint8Array | string): Promise<{ owner: TestTenant; cid: string }> {
  const owner = await createTestTenant(services, { publicBucket: true });
  const { fileUuid } = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'f.bin', bytes, contentType: 'application/octet-stream' });
  return { owner, cid: (await services.entries.get(fileUuid))!.cidV1! };
}

const used = (owner: TestTenant) => services.bandwidth.get(owner.accountId, bandwidthMonth(new Date()));

function gateway(handler: typeof ipfsGateway, prefix: 'ipfs' | 'ipns', target: string, init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}) {
  const param = prefix === 'ipfs' ? 'cid' : 'name';
  return answerOf(
    handler,
    httpEvent({ method: init.method ?? 'GET', path: `/${prefix}/{${param}}`, rawPath: `/${prefix}/${target}`, pathParameters: { [param]: target }, headers: init.headers }),
  );
}

describe('bandwidth of /ipfs/<cid>', () => {
  it('counts the range of a 206, and nothing for HEAD or a 304', async () => {
    // prepare
    const { owner, cid } = await ownerWith('0123456789abcdefg');

    // act
    const partial = await gateway(ipfsGateway, 'ipfs', cid, { headers: { range: 'bytes=2-6' } });
    const head = await gateway(ipfsGateway, 'ipfs', cid, { method: 'HEAD' });
    const notModified = await gateway(ipfsGateway, 'ipfs', cid, { headers: { 'if-none-match': `"${cid}"` } });

    // assess
    expect([partial.status, head.status, notModified.status]).toEqual([206, 200, 304]);
    expect(await used(owner)).toBe(5);
  });

  it('counts, behind a 302, the range the client then fetches, else the whole file', async () => {
    // prepare
    const size = INLINE_DOWNLOAD_MAX_BYTES + 4096;
    const { owner, cid } = await ownerWith(prngBytes(size, 7));

    // act
    const ranged = await gateway(ipfsGateway, 'ipfs', cid, { headers: { range: 'bytes=1000-' } });
    const afterRange = await used(owner);
    const whole = await gateway(ipfsGateway, 'ipfs', cid);

    // assess
    expect([ranged.status, whole.status]).toEqual([302, 302]);
    expect(afterRange).toBe(size - 1000);
    expect(await used(owner)).toBe(size - 1000 + size);
  });

  it('counts a CAR by the bytes of its body, and a HEAD of it not at all', async () => {
    // prepare
    const { owner, cid } = await ownerWith('car me');

    // act
    const car = await gateway(ipfsGateway, 'ipfs', cid, { headers: { accept: 'application/vnd.ipld.car' } });
    const head = await gateway(ipfsGateway, 'ipfs', cid, { method: 'HEAD', headers: { accept: 'application/vnd.ipld.car' } });

    // assess
    expect(car.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(car.bytes.length));
    expect(await used(owner)).toBe(car.bytes.length);
  });
});

describe('bandwidth of /ipns/<name>', () => {
  it('counts the content the name serves (ranges and HEAD as on /ipfs/)', async () => {
    // prepare
    const { owner, cid } = await ownerWith('named content!');
    const created = await call('ipnsCreate', { params: { bucketUuid: owner.bucket.bucketUuid }, headers: owner.headers.basic, body: { name: 'n', cid } });
    const name = created.body.data.ipnsName as string;

    // act
    const whole = await gateway(ipnsGateway, 'ipns', name);
    const partial = await gateway(ipnsGateway, 'ipns', name, { headers: { range: 'bytes=0-4' } });
    const head = await gateway(ipnsGateway, 'ipns', name, { method: 'HEAD' });

    // assess
    expect(whole.text).toBe('named content!');
    expect(whole.headers['cache-control']).toBe('public, max-age=300');
    expect(partial.status).toBe(206);
    expect(partial.text).toBe('named');
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(await used(owner)).toBe(14 + 5);
  });
});

describe('bandwidth of Quantum downloads', () => {
  it('counts the range of a 206, and nothing for a HEAD', async () => {
    // prepare
    const owner = await createTestTenant(services);
    const bucket = await createTestBucket(services, owner.accountId);
    await addFiles(owner.headers.master, bucket.name, 'bw', [{ name: 'twenty.bin', content: 'twenty bytes exactly' }]);
    const token = await fileToken(owner.headers.master, bucket.name, 'bw/twenty.bin');
    const request = (method: 'GET' | 'HEAD', headers?: Record<string, string>) =>
      answerOf(fileDownload, routeEvent({ method, route: '/file/download/{token}', params: { token }, headers }));

    // act
    const head = await request('HEAD');
    const partial = await request('GET', { range: 'bytes=-7' });

    // assess
    expect([head.status, partial.status]).toEqual([200, 206]);
    expect(await used(owner)).toBe(7);
  });
});

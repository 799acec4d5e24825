/**
 * Links only where they work (issue 11): `link`/`downloadLink` point at the
 * public gateway only for files it serves; files of private buckets, and files
 * marked for deletion, get null on every route that shows them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectApillonSuccess } from '../../support/envelopes';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, uploadFile } from './helpers';

let services: Services;
let privateTenant: TestTenant;
let publicTenant: TestTenant;
let privateFile: { fileUuid: string; cid: string };
let publicFile: { fileUuid: string; cid: string };

/** A valid CID that this test file never stores. */
const UNKNOWN_CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';

async function stored(tenant: TestTenant, fileName: string, bytes: string) {
  const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName, bytes });
  return { fileUuid, cid: (await services.entries.get(fileUuid))!.cidV1! };
}

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  [privateTenant, publicTenant] = await Promise.all([createTestTenant(services, { publicBucket: false }), createTestTenant(services)]);
  privateFile = await stored(privateTenant, 'secret.txt', 'only in a private bucket');
  publicFile = await stored(publicTenant, 'open.txt', 'in a public bucket');
});

/** Every route that shows the file, with the link field it carries. */
async function linksShown(tenant: TestTenant, fileUuid: string): Promise<Record<string, unknown>> {
  const bucketUuid = tenant.bucket.bucketUuid;
  const headers = tenant.headers.basic;
  const [content, bucketContent, files, detail, file] = await Promise.all([
    call('content', { params: { bucketUuid }, headers }),
    call('bucketContent', { params: { bucketUuid }, headers }),
    call('bucketFiles', { params: { bucketUuid }, headers }),
    call('fileDetail', { params: { bucketUuid, id: fileUuid }, headers }),
    call('bucketFileGet', { params: { bucketUuid, id: fileUuid }, headers }),
  ]);
  for (const response of [content, bucketContent, files, detail, file]) expectApillonSuccess(response);
  const item = (list: { uuid?: string; fileUuid?: string; link: unknown }[]) => list.find((entry) => (entry.fileUuid ?? entry.uuid) === fileUuid)!.link;
  return {
    content: item(content.body.data.items),
    bucketContent: item(bucketContent.body.data.items),
    files: item(files.body.data.items),
    detail: detail.body.data.file.downloadLink,
    file: file.body.data.link,
  };
}

describe('links', () => {
  it('are null for a file of a private bucket on every route that shows it', async () => {
    // act
    const links = await linksShown(privateTenant, privateFile.fileUuid);

    // assess
    expect(links).toEqual({ content: null, bucketContent: null, files: null, detail: null, file: null });
  });

  it('point at the gateway, which serves the file, for a file of a public bucket', async () => {
    // act
    const links = await linksShown(publicTenant, publicFile.fileUuid);
    const served = await call('ipfsGateway', { params: { cid: publicFile.cid } });

    // assess
    const expected = `http://api.test.local/ipfs/${publicFile.cid}`;
    expect(links).toEqual({ content: expected, bucketContent: expected, files: expected, detail: expected, file: expected });
    expect(served.statusCode).toBe(200);
  });

  it('are null in the answer that marks a file for deletion (the gateway stops serving it)', async () => {
    // prepare
    const doomed = await stored(publicTenant, 'doomed.txt', 'soon gone');

    // act
    const response = await call('fileDelete', { params: { bucketUuid: publicTenant.bucket.bucketUuid, id: doomed.fileUuid }, headers: publicTenant.headers.basic });
    const served = await call('ipfsGateway', { params: { cid: doomed.cid } });

    // assess
    expectApillonSuccess(response);
    expect(response.body.data.downloadLink).toBeNull();
    expect(served.statusCode).toBe(404);
  });
});

describe('link-on-ipfs', () => {
  it('gives no link for a CID stored only in a private bucket, and links for public or not-yet-stored CIDs', async () => {
    // act
    const [single, multiple] = await Promise.all([
      call('linkOnIpfs', { params: { cid: privateFile.cid }, headers: privateTenant.headers.basic }),
      call('linksOnIpfs', { headers: privateTenant.headers.basic, body: { cids: [privateFile.cid, publicFile.cid, UNKNOWN_CID] } }),
    ]);

    // assess
    expectApillonSuccess(single);
    expect(single.body.data).toEqual({ link: null });
    expectApillonSuccess(multiple);
    expect(multiple.body.data.links).toEqual([null, `http://api.test.local/ipfs/${publicFile.cid}`, `http://api.test.local/ipfs/${UNKNOWN_CID}`]);
  });
});

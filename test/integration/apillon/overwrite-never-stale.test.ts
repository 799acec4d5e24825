/**
 * Issue 21 item 4: after a file is replaced (an Apillon upload to the same path, a Quantum `file/add` with
 * force=true), every download path serves the new bytes or the old CID's bytes, never a mix, and its ETag says
 * which: `/ipfs/<cid>`, the path gateway under the directory's CID (before and after its recompute), the listing of
 * that directory, IPNS, the trustless formats, a presigned 302 handed out before the overwrite, Quantum download
 * tokens. Against DynamoDB Local and s3rver; each answer is checked against the bytes it claims by its ETag.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { handler as ipnsGateway } from '../../../functions/apillon/ipns-gateway/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { answerOf, type RawAnswer } from '../../support/downloads';
import { settleDirectories } from '../../support/directories';
import { httpEvent, lambdaContext } from '../../support/events';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { addFiles, download, fileToken, quantum, routeEvent } from '../quantum/support';
import { call, prngBytes, uploadFile } from './helpers';

let services: Services;
let tenant: TestTenant;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services, { publicBucket: true });
});

/** `GET /ipfs/<cid>[/<rest>]` or `/ipns/<name>[/<rest>]` as API Gateway hands it to the function. */
function gateway(kind: 'ipfs' | 'ipns', root: string, rest?: string, headers: Record<string, string> = {}, query?: Record<string, string>): Promise<RawAnswer> {
  const param = kind === 'ipfs' ? 'cid' : 'name';
  return answerOf(
    kind === 'ipfs' ? ipfsGateway : ipnsGateway,
    httpEvent({
      path: rest === undefined ? `/${kind}/{${param}}` : `/${kind}/{${param}}/{proxy+}`,
      rawPath: `/${kind}/${root}${rest === undefined ? '' : `/${rest}`}`,
      pathParameters: rest === undefined || rest === '' ? { [param]: root } : { [param]: root, proxy: rest },
      headers,
      ...(query ? { query } : {}),
    }),
  );
}

/** The CIDv1 of the file at `path` of the tenant's bucket now. */
async function cidAt(path: string): Promise<string> {
  const claims = await services.entries.listSubtreeClaims(tenant.bucket.bucketUuid, '');
  const claim = claims.find((item) => item.path === path)!;
  return (await services.entries.get(claim.entryUuid!))!.cidV1!;
}

/**
 * The one rule: an answer with bytes carries the ETag of the CID whose bytes they are (old or new, never the old
 * tag on new bytes); an answer without bytes is a 404 (nothing served), never a 304 to a tag of other bytes.
 */
function expectOneVersion(answer: RawAnswer, versions: Record<string, Uint8Array>): void {
  if (answer.status === 404) return;
  expect(answer.status).toBe(200);
  const tag = answer.headers.etag!.replace(/^"|"$/g, '');
  expect(Object.keys(versions)).toContain(tag);
  expect(answer.bytes.equals(Buffer.from(versions[tag]!))).toBe(true);
}

describe('an Apillon upload over a file', () => {
  it('every gateway path serves the new bytes or the old CID’s, tagged by their CID; nothing answers 304 to the old tag', async () => {
    // prepare: d/small.txt (served in the body), d/big.bin (a 302), a name pointing at d, what each path gave
    const bucketUuid = tenant.bucket.bucketUuid;
    const OLD = Buffer.from('the old bytes of small.txt');
    const NEW = Buffer.from('the NEW bytes of small.txt, longer');
    const OLD_BIG = prngBytes(4 * 1024 * 1024 + 1000, 31);
    const NEW_BIG = prngBytes(4 * 1024 * 1024 + 1000, 32);
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'small.txt', path: 'd', bytes: OLD });
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'big.bin', path: 'd', bytes: OLD_BIG, contentType: 'application/octet-stream' });
    const directoryCid = (await settleDirectories(services, bucketUuid)).get('d')!.cidV1;
    const [oldCid, oldBigCid] = [await cidAt('d/small.txt'), await cidAt('d/big.bin')];
    const ipns = await call('ipnsCreate', { params: { bucketUuid }, headers: tenant.headers.basic, body: { name: 'd', cid: directoryCid } });
    const ipnsName = ipns.body.data.ipnsName as string;
    const listingBefore = await gateway('ipfs', directoryCid, '');
    const bigBefore = await gateway('ipfs', oldBigCid);
    expect(bigBefore.status).toBe(302);
    expect((await gateway('ipns', ipnsName, 'small.txt')).bytes.equals(OLD)).toBe(true);

    // act: the same paths uploaded again; the directory's CID not recomputed yet (the seconds a recompute takes)
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'small.txt', path: 'd', bytes: NEW });
    await uploadFile(services, bucketUuid, tenant.headers.basic, { fileName: 'big.bin', path: 'd', bytes: NEW_BIG, contentType: 'application/octet-stream' });
    const newCid = await cidAt('d/small.txt');
    const versions = { [oldCid]: OLD, [newCid]: NEW };
    const oldTag = { 'if-none-match': `"${oldCid}"` };
    const window = {
      byOldCid: await gateway('ipfs', oldCid, undefined, oldTag),
      byNewCid: await gateway('ipfs', newCid, undefined, oldTag),
      path: await gateway('ipfs', directoryCid, 'small.txt', oldTag),
      ipns: await gateway('ipns', ipnsName, 'small.txt', oldTag),
      listing: await gateway('ipfs', directoryCid, '', { 'if-none-match': listingBefore.headers.etag! }),
      car: await gateway('ipfs', directoryCid, 'small.txt', {}, { format: 'car' }),
      bigRedirectHandedOutBefore: await fetch(bigBefore.headers.location!),
      bigByPath: await gateway('ipfs', directoryCid, 'big.bin', { 'if-none-match': `"${oldBigCid}"` }),
    };
    const newBigCid = await cidAt('d/big.bin');
    await settleDirectories(services, bucketUuid);
    const settled = {
      path: await gateway('ipfs', directoryCid, 'small.txt', oldTag),
      ipns: await gateway('ipns', ipnsName, 'small.txt', oldTag),
    };

    // assess
    expect(newCid).not.toBe(oldCid);
    expect(window.byOldCid.status).toBe(404); // its bytes were replaced: nothing, rather than other bytes
    expect(window.byNewCid.status).toBe(200);
    expectOneVersion(window.byNewCid, versions);
    for (const answer of [window.path, window.ipns, settled.path, settled.ipns]) expectOneVersion(answer, versions);
    // The listing under the old CID now lists the new file: another page, another tag, not a 304.
    expect(window.listing.status).toBe(200);
    expect(window.listing.headers.etag).not.toBe(listingBefore.headers.etag);
    expect(window.listing.text).toContain(newCid);
    // The trustless CAR under the old directory CID is checked block by block: it no longer hashes, so 404.
    expect(window.car.status).toBe(404);
    // A presigned URL handed out before names the old object, which went with its file: never the new bytes.
    expect(window.bigRedirectHandedOutBefore.status).toBe(404);
    // The path's redirect now leads to the new object, and says so by its ETag.
    expect(window.bigByPath.status).toBe(302);
    expect(window.bigByPath.headers.etag).toBe(`"${newBigCid}"`);
    const followed = await fetch(window.bigByPath.headers.location!);
    expect(Buffer.from(await followed.arrayBuffer()).equals(Buffer.from(NEW_BIG))).toBe(true);
  }, 60_000);
});

describe('a Quantum file/add with force=true over a file', () => {
  it('kills the download tokens made before it, and tags the new bytes anew', async () => {
    // prepare
    const bucket = tenant.bucket.name;
    expect((await addFiles(tenant.headers.master, bucket, 'q', [{ name: 'f.txt', content: 'first version' }])).statusCode).toBe(200);
    const before = await fileToken(tenant.headers.master, bucket, 'q/f.txt');
    const spentBefore = await download(await fileToken(tenant.headers.master, bucket, 'q/f.txt'));
    const oldTag = spentBefore.headers!.etag as string;

    // act
    expect((await addFiles(tenant.headers.master, bucket, 'q', [{ name: 'f.txt', content: 'second version!' }], { force: 'true' })).statusCode).toBe(200);
    const withOldToken = await download(before);
    const fresh = await download(await fileToken(tenant.headers.master, bucket, 'q/f.txt'));
    const revalidationToken = await fileToken(tenant.headers.master, bucket, 'q/f.txt');
    const revalidated = await quantum.fileDownload(
      routeEvent({ method: 'GET', route: '/file/download/{token}', params: { token: revalidationToken }, headers: { 'if-none-match': oldTag } }),
      lambdaContext(),
    );

    // assess
    expect(Buffer.from(spentBefore.body!, spentBefore.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe('first version');
    expect(withOldToken.statusCode).toBe(400);
    expect(JSON.parse(withOldToken.body!)).toMatchObject({ status: 'error', message: 'INVALID_TOKEN' });
    expect(fresh.statusCode).toBe(200);
    expect(Buffer.from(fresh.body!, fresh.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe('second version!');
    expect(fresh.headers!.etag).not.toBe(oldTag);
    expect(revalidated.statusCode).toBe(200); // the old tag names other bytes: no 304
    expect(Buffer.from(revalidated.body!, revalidated.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe('second version!');
  });
});

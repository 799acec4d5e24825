/**
 * The path gateway over directories, as the function answers API Gateway v2 events for
 * `/ipfs/{cid}` and `/ipfs/{cid}/{proxy+}` (the greedy parameter decoded once, as API
 * Gateway hands it over): files at a path, 301 to a directory's slash form and to the
 * canonical URL, index.html, the generated listing (its links followed back through the
 * handler), 404s, HEAD, encoded names, and `/ipns/<name>/<path>`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { handler as ipnsGateway } from '../../../functions/apillon/ipns-gateway/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { answerOf, type RawAnswer } from '../../support/downloads';
import { prngBytes } from '../../support/data';
import { expectApillonError } from '../../support/envelopes';
import { httpEvent, invoke } from '../../support/events';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { storeAddressedTree } from '../../support/trees';
import { call } from './helpers';

const NAMES = ['100% sure #1?.txt', '日本語 ファイル.txt', 'a b', 'e\u0301t\u00e9.txt'.normalize('NFC')];
const FILES = new Map<string, Uint8Array>([
  ['hello.txt', new TextEncoder().encode('hello world')],
  ['docs/readme.md', new TextEncoder().encode('# read me')],
  ['docs/empty.txt', new Uint8Array(0)],
  ['docs/deep/nested/two-chunks.bin', prngBytes(300_000, 9)],
  ['site/index.html', new TextEncoder().encode('<!doctype html><p>site</p>')],
  ['site/style.css', new TextEncoder().encode('p{}')],
  ...NAMES.map((name, i): [string, Uint8Array] => [`names/${name}`, new TextEncoder().encode(`name ${i}`)]),
]);
const CONTENT_TYPES = { 'docs/readme.md': 'text/markdown', 'site/index.html': 'text/html', 'hello.txt': 'text/plain' };

let services: Services;
let tenant: TestTenant;
let root: string;
let rootV0: string;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services, { publicBucket: true });
  const addresses = await storeAddressedTree(services, tenant, FILES, { emptyDirectories: ['void'], contentTypes: CONTENT_TYPES });
  root = addresses.get('')!.cidV1;
  rootV0 = addresses.get('')!.cidV0;
}, 120_000);

/**
 * A gateway request as API Gateway delivers it: `rest` is the decoded path after the CID
 * (undefined: the bare `/ipfs/{cid}` route); the raw path carries it percent-encoded.
 */
function gateway(cid: string, rest?: string, init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string>; query?: Record<string, string> } = {}): Promise<RawAnswer> {
  const encoded = rest === undefined ? '' : `/${rest.split('/').map(encodeURIComponent).join('/')}`;
  return answerOf(
    ipfsGateway,
    httpEvent({
      method: init.method ?? 'GET',
      path: rest === undefined ? '/ipfs/{cid}' : '/ipfs/{cid}/{proxy+}',
      rawPath: `/ipfs/${cid}${encoded}`,
      pathParameters: rest === undefined || rest === '' ? { cid } : { cid, proxy: rest },
      headers: init.headers,
      query: init.query,
    }),
  );
}

/** Follows a path-absolute URL (a Location, a listing's link) back into the handler, decoding it once as API Gateway does. */
function follow(url: string): Promise<RawAnswer> {
  const { pathname, searchParams } = new URL(url, 'https://gw.test');
  const [, , cid, ...rest] = pathname.split('/');
  const query = Object.fromEntries(searchParams);
  return gateway(cid!, rest.length === 0 ? undefined : rest.map(decodeURIComponent).join('/'), { query });
}

async function fileCid(path: string, version: 'cidV1' | 'cidV0' = 'cidV1'): Promise<string> {
  const claim = await services.entries.getPathClaim(tenant.bucket.bucketUuid, path);
  return (await services.entries.get(claim!.entryUuid))![version]!;
}

describe('GET /ipfs/<dirCid>/<path>', () => {
  it('serves the file at the path with its type, ETag its own CID, and ranges', async () => {
    // act
    const [whole, range] = await Promise.all([gateway(root, 'docs/readme.md'), gateway(root, 'docs/readme.md', { headers: { range: 'bytes=2-' } })]);

    // assess
    expect(whole.status).toBe(200);
    expect(whole.text).toBe('# read me');
    expect(whole.headers).toMatchObject({ 'content-type': 'text/markdown', etag: `"${await fileCid('docs/readme.md')}"`, 'accept-ranges': 'bytes' });
    // found through the directory's current children, which its CID follows seconds later: not cached as immutable
    expect(whole.headers['cache-control']).toBe('public, max-age=60');
    expect(range.status).toBe(206);
    expect(range.text).toBe('read me');
  });

  it('serves a file of two chunks and an empty file deep in the tree', async () => {
    // act
    const [big, empty] = await Promise.all([gateway(root, 'docs/deep/nested/two-chunks.bin'), gateway(root, 'docs/empty.txt')]);

    // assess
    expect(big.bytes.equals(Buffer.from(FILES.get('docs/deep/nested/two-chunks.bin')!))).toBe(true);
    expect(empty.status).toBe(200);
    expect(empty.bytes.length).toBe(0);
  });

  it('serves by the root’s CIDv0 too, tagging the file by its CIDv0', async () => {
    // act
    const answer = await gateway(rootV0, 'hello.txt');

    // assess
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBe(`"${await fileCid('hello.txt', 'cidV0')}"`);
  });

  it.each(NAMES)('serves %j, whose name was percent-encoded in the URL', async (name) => {
    // act
    const answer = await gateway(root, `names/${name}`);

    // assess
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(`name ${NAMES.indexOf(name)}`);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    // act
    const [head, get] = await Promise.all([gateway(root, 'hello.txt', { method: 'HEAD' }), gateway(root, 'hello.txt')]);

    // assess
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    const { 'x-request-id': _h, ...headHeaders } = head.headers;
    const { 'x-request-id': _g, ...getHeaders } = get.headers;
    expect(headHeaders).toEqual(getHeaders);
  });
});

describe('directory URLs', () => {
  it('301 to the slash form, the query kept, for the root and a sub-directory', async () => {
    // act
    const [bare, sub] = await Promise.all([gateway(root), gateway(root, 'docs', { query: { filename: 'x' } })]);

    // assess
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`/ipfs/${root}/`);
    expect(sub.status).toBe(301);
    expect(sub.headers.location).toBe(`/ipfs/${root}/docs/?filename=x`);
  });

  it('301 a URL with `.`, `..` or empty segments to the canonical one; 400 for `..` above the root', async () => {
    // act
    const [dots, doubled, above] = await Promise.all([
      gateway(root, 'docs/./deep/../readme.md'),
      gateway(root, 'docs//deep/'),
      gateway(root, 'docs/../../x'),
    ]);

    // assess
    expect(dots.status).toBe(301);
    expect(dots.headers.location).toBe(`/ipfs/${root}/docs/readme.md`);
    expect(doubled.status).toBe(301);
    expect(doubled.headers.location).toBe(`/ipfs/${root}/docs/deep/`);
    expect(above.status).toBe(400);
    expect(JSON.parse(above.text)).toMatchObject({ code: 40006010, message: 'INVALID_PATH' });
  });

  it('serves a directory’s index.html at its slash URL, tagged by the index’s CID', async () => {
    // act
    const answer = await gateway(root, 'site/');

    // assess
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('<!doctype html><p>site</p>');
    expect(answer.headers['content-type']).toBe('text/html');
    expect(answer.headers.etag).toBe(`"${await fileCid('site/index.html')}"`);
  });

  it('lists a directory without index.html; every link of the listing leads to its entry', async () => {
    // act
    const listing = await gateway(root, 'names/');

    // assess
    expect(listing.status).toBe(200);
    expect(listing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(listing.headers.etag).toMatch(/^"DirIndex-.+_CID-bafy/);
    const hrefs = [...listing.text.matchAll(/<td class="file"><a href="([^"]*)">/g)].map((match) => match[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'"));
    expect(hrefs).toHaveLength(NAMES.length);
    const answers = await Promise.all(hrefs.map((href) => follow(new URL(href, `https://gw.test/ipfs/${root}/names/`).href)));
    expect(answers.map((answer) => answer.text).sort()).toEqual(NAMES.map((_, i) => `name ${i}`).sort());
  });

  it('lists the root with its files and directories, and a sub-directory with a link back up', async () => {
    // act
    const [top, deep] = await Promise.all([gateway(root, ''), gateway(root, 'docs/deep/')]);

    // assess
    expect(top.status).toBe(200);
    for (const name of ['hello.txt', 'docs/', 'site/', 'names/', 'void/']) expect(top.text).toContain(`>${name}</a>`);
    expect(top.text).not.toContain('>..</a>');
    expect(deep.text).toContain(`href="/ipfs/${root}/docs/">..</a>`);
    expect(deep.text).toContain(`href="/ipfs/${root}/docs/deep/nested/"`);
  });

  it('answers HEAD of a listing and 304 to its ETag', async () => {
    // prepare
    const get = await gateway(root, 'docs/');

    // act
    const [head, revalidated] = await Promise.all([
      gateway(root, 'docs/', { method: 'HEAD' }),
      gateway(root, 'docs/', { headers: { 'if-none-match': get.headers.etag! } }),
    ]);

    // assess
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(revalidated.status).toBe(304);
  });
});

describe('paths that name nothing', () => {
  it('404 in the gateway’s shape for a missing name, a path below a file, and a path after a file’s CID', async () => {
    // prepare
    const hello = await fileCid('hello.txt');

    // act
    const answers = await Promise.all([
      invoke(ipfsGateway, httpEvent({ path: '/ipfs/{cid}/{proxy+}', rawPath: `/ipfs/${root}/nope.txt`, pathParameters: { cid: root, proxy: 'nope.txt' } })),
      invoke(ipfsGateway, httpEvent({ path: '/ipfs/{cid}/{proxy+}', rawPath: `/ipfs/${root}/hello.txt/x`, pathParameters: { cid: root, proxy: 'hello.txt/x' } })),
      invoke(ipfsGateway, httpEvent({ path: '/ipfs/{cid}/{proxy+}', rawPath: `/ipfs/${hello}/x`, pathParameters: { cid: hello, proxy: 'x' } })),
      invoke(ipfsGateway, httpEvent({ path: '/ipfs/{cid}/{proxy+}', rawPath: `/ipfs/${root}/${'x'.repeat(1100)}`, pathParameters: { cid: root, proxy: 'x'.repeat(1100) } })),
    ]);

    // assess
    for (const answer of answers) expectApillonError(answer, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });

  it('404 for a directory of a private bucket', async () => {
    // prepare
    const privateTenant = await createTestTenant(services, { publicBucket: false });
    const addresses = await storeAddressedTree(services, privateTenant, new Map([['d/f.txt', new TextEncoder().encode('private')]]));

    // act
    const answer = await gateway(addresses.get('')!.cidV1, 'd/f.txt');

    // assess
    expect(answer.status).toBe(404);
  });
});

describe('GET /ipns/<name>/<path>', () => {
  it('resolves the name to the directory it points at, then the path, cached as a name is', async () => {
    // prepare
    const created = await call('ipnsCreate', { params: { bucketUuid: tenant.bucket.bucketUuid }, headers: tenant.headers.basic, body: { name: 'site', cid: root } });
    expect(created.statusCode).toBe(201);
    const name = created.body.data.ipnsName as string;
    const ipns = (rest?: string, query?: Record<string, string>) =>
      answerOf(
        ipnsGateway,
        httpEvent({
          path: rest === undefined ? '/ipns/{name}' : '/ipns/{name}/{proxy+}',
          rawPath: `/ipns/${name}${rest === undefined ? '' : `/${rest.split('/').map(encodeURIComponent).join('/')}`}`,
          pathParameters: rest ? { name, proxy: rest } : { name },
          query,
        }),
      );

    // act
    const [file, bare, site, car] = await Promise.all([ipns(`names/${NAMES[0]}`), ipns(), ipns('site/'), ipns('docs', { format: 'car' })]);

    // assess
    expect(file.status).toBe(200);
    expect(file.text).toBe('name 0');
    expect(file.headers['cache-control']).toBe('public, max-age=300');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`/ipns/${name}/`);
    expect(site.text).toBe('<!doctype html><p>site</p>');
    expect(car.status).toBe(200);
    expect(car.headers).toMatchObject({ 'content-type': 'application/vnd.ipld.car; version=1; order=dfs; dups=n', 'x-ipfs-roots': root, 'cache-control': 'public, max-age=300' });
  });
});

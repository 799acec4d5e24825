/**
 * The path gateway over HTTP, on the run's shared local stack (serverless-offline routes
 * `/ipfs/{cid}/{proxy+}`, decodes the path once, resolves `..` and strips a trailing slash
 * itself): a folder uploaded with the SDK's session route gets its CID from the queue's
 * recompute, then its files are fetched by path (names with spaces, `%`, `#`, `?`,
 * unicode), the folder lists, and its CAR verifies with `@ipld/car` and `ipfs-unixfs-exporter`.
 */
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import { exporter, recursive } from 'ipfs-unixfs-exporter';
import { sha256 } from 'multiformats/hashes/sha2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const FOLDER = `e2e-gateway-${randomUUID().slice(0, 8)}`;
const FILES: Record<string, string> = {
  '100% sure #1?.txt': 'percent hash question',
  '日本語 ファイル.txt': 'unicode',
  'a b.txt': 'space',
  'sub/inner.txt': 'inner',
};

let stack: Omit<LocalStack, 'stop'>;
let folderCid: string;

/** What the last probe saw (for the failure message). */
let lastSeen = '';

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last seen: ${lastSeen}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The files under `cid` as the exporter rebuilds them from a CAR, by path; undefined unless every block hashes to its CID. */
async function exportedCar(bytes: Uint8Array): Promise<Map<string, string> | undefined> {
  const reader = await CarReader.fromBytes(bytes);
  for await (const block of reader.blocks()) {
    if (!Buffer.from((await sha256.digest(block.bytes)).bytes).equals(Buffer.from(block.cid.multihash.bytes))) return undefined;
  }
  const blockstore = {
    async *get(cid: Parameters<typeof reader.get>[0]) {
      const block = await reader.get(cid);
      if (!block) throw new Error(`block ${cid} missing`);
      yield block.bytes;
    },
  };
  const files = new Map<string, string>();
  for await (const entry of recursive((await reader.getRoots())[0]!, blockstore)) {
    const node = await exporter(entry.cid, blockstore);
    if (node.type !== 'file') continue;
    const chunks: Uint8Array[] = [];
    for await (const chunk of node.content()) chunks.push(chunk);
    files.set(entry.path.split('/').slice(1).join('/'), Buffer.concat(chunks).toString('utf8'));
  }
  return files;
}

/** A GET whose path is sent exactly as written (fetch would resolve `..` itself). */
function rawGet(path: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: stack.ports.http, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

beforeAll(async () => {
  stack = await sharedLocalStack();
});

beforeAll(async () => {
  const bucket = stack.bucketUuid;
  const json = (body: unknown) => ({ method: 'POST', headers: { ...stack.headers.basic, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const files = Object.keys(FILES).map((path) => {
    const slash = path.lastIndexOf('/');
    return { fileName: path.slice(slash + 1), path: `${FOLDER}/${slash < 0 ? '' : path.slice(0, slash + 1)}` };
  });
  const session = await stack.request(`/storage/buckets/${bucket}/upload`, json({ files }));
  expect(session.status, session.text).toBe(201);
  for (const [index, file] of (session.body.data.files as { url: string }[]).entries()) {
    const put = await fetch(file.url, { method: 'PUT', body: Buffer.from(FILES[Object.keys(FILES)[index]!]!) });
    expect(put.status).toBe(200);
  }
  await stack.request(`/storage/buckets/${bucket}/upload/${session.body.data.sessionUuid}/end`, json({}));
  // The folder's CID comes from the queue's recompute a few seconds after its files are addressed;
  // wait until its CAR holds every file (an earlier CID may name the folder half-full).
  folderCid = await until(async () => {
    const listing = await stack.request(`/storage/buckets/${bucket}/content?search=${FOLDER}`, { headers: stack.headers.basic });
    const cid = (listing.body?.data?.items as { name: string; CID: string | null }[] | undefined)?.find((item) => item.name === FOLDER)?.CID;
    lastSeen = `listing ${listing.status} ${listing.text.slice(0, 300)}`;
    if (!cid) return undefined;
    const car = await fetch(`${stack.baseUrl}/ipfs/${cid}?format=car`);
    lastSeen = `CID ${cid}, CAR ${car.status}`;
    if (car.status !== 200) return undefined;
    const exported = await exportedCar(new Uint8Array(await car.arrayBuffer()));
    lastSeen = `CID ${cid}, CAR holds ${[...(exported?.keys() ?? [])].join(', ')}`;
    return exported && [...exported.keys()].sort().join('|') === Object.keys(FILES).sort().join('|') ? cid : undefined;
  });
}, 180_000);

describe('the path gateway over HTTP (local stack)', () => {
  it('serves each file by its path, names percent-encoded once', async () => {
    // act
    const answers = await Promise.all(Object.keys(FILES).map((path) => fetch(`${stack.baseUrl}/ipfs/${folderCid}/${encodePath(path)}`)));

    // assess
    expect(answers.map((answer) => answer.status)).toEqual(Object.keys(FILES).map(() => 200));
    expect(await Promise.all(answers.map((answer) => answer.text()))).toEqual(Object.values(FILES));
  });

  it('lists the folder at its URL, with links that work', async () => {
    // act: serverless-offline strips a trailing slash before routing (API Gateway does not), so
    // locally both URLs list the folder; the 301 API Gateway gets is tested with v2 events.
    const bare = await fetch(`${stack.baseUrl}/ipfs/${folderCid}`, { redirect: 'manual' });
    const listing = await fetch(`${stack.baseUrl}/ipfs/${folderCid}/`);
    const html = await listing.text();

    // assess
    expect(bare.status).toBe(200);
    expect(await bare.text()).toBe(html);
    expect(listing.status).toBe(200);
    expect(listing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const hrefs = [...html.matchAll(/<td class="file"><a href="([^"]*)">/g)].map((match) => match[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'"));
    const followed = await Promise.all(hrefs.map(async (href) => (await fetch(new URL(href, `${stack.baseUrl}/ipfs/${folderCid}/`))).text()));
    expect(followed.sort()).toEqual(Object.entries(FILES).filter(([path]) => !path.includes('/')).map(([, text]) => text).sort());
  });

  it('answers a path with `..` with the file it leads to (or a redirect there), never an error', async () => {
    // act
    const answer = await rawGet(`/ipfs/${folderCid}/sub/../${encodeURIComponent('a b.txt')}`);

    // assess
    if (answer.status === 301) expect(answer.location).toBe(`/ipfs/${folderCid}/a%20b.txt`);
    else expect(answer).toMatchObject({ status: 200, body: 'space' });
  });

  it('answers HEAD without a body, and 404 in the gateway’s shape for a missing path', async () => {
    // act
    const [head, missing] = await Promise.all([
      fetch(`${stack.baseUrl}/ipfs/${folderCid}/sub/inner.txt`, { method: 'HEAD' }),
      fetch(`${stack.baseUrl}/ipfs/${folderCid}/sub/nope.txt`),
    ]);

    // assess
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(FILES['sub/inner.txt']!.length));
    expect(await head.text()).toBe('');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });
});

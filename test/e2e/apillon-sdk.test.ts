/**
 * The official `@apillon/sdk` (3.x) pointed at the local stack (`apiUrl`, the
 * stack's fixed API key and secret): every Storage method the SDK has: buckets,
 * uploads of a folder and of files with and without wrapWithDirectory, listings,
 * directories, files, IPNS, cluster info, links of both types. See docs/apillon-sdk-contract.md: the
 * SDK PUTs without a Content-Type, asks for links before it uploads, and matches
 * answers on fileName + path. Basenames are unique here because of the SDK's own
 * root-file matching bug (a root `a.txt` would also match `sub/a.txt`).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStatus, LogLevel, Storage, StorageContentType } from '@apillon/sdk';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer-kubo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

type StorageBucket = Awaited<ReturnType<Storage['createBucket']>>;
type Listed = Awaited<ReturnType<StorageBucket['listObjects']>>['items'][number];

const FILES: Record<string, string> = {
  'index.html': '<h1>hello</h1>',
  'readme.txt': 'root readme',
  'sub/notes.md': '# notes',
  'sub/deeper/data.json': '{"answer":42}',
  'sub/deeper/pixel.bin': 'binary-ish \u0000\u0001\u0002',
};

/** Files uploaded with `wrapWithDirectory` under WRAP_PATH (their `path` is relative to it). */
const WRAPPED: { fileName: string; path?: string; content: string }[] = [
  { fileName: 'index.html', content: '<h1>wrapped</h1>' },
  { fileName: 'a.txt', path: 'assets', content: 'asset a' },
  { fileName: 'b.json', path: 'assets/data', content: '{"b":1}' },
];
const WRAP_PATH = 'site/v1';

/** Polls `read` every 300 ms until `done` holds (60 s at most); returns the last value read. */
async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    value = await read();
  }
  return value;
}

/** The directory at `path` (`a/b`), walked down from the bucket root with the SDK's own listing calls. */
async function directoryAt(bucket: StorageBucket, path: string): Promise<Listed | undefined> {
  let found: Listed | undefined;
  for (const name of path.split('/')) {
    // The root listing also holds each directory's children (the SDK expands one level): keep the top level there.
    const items: Listed[] = found
      ? await bucket.directory(found.uuid).get()
      : (await bucket.listObjects({ limit: 100 })).items.filter((item) => !(item as { parentDirectoryUuid?: string | null }).parentDirectoryUuid);
    found = items.find((item) => item.type === StorageContentType.DIRECTORY && item.name === name);
    if (!found) return undefined;
  }
  return found;
}

describe('the official @apillon/sdk against the local stack', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let folder: string;
  let storage: Storage;
  let bucket: StorageBucket;
  let wrapBucket: StorageBucket;

  beforeAll(async () => {
    stack = await sharedLocalStack();
    folder = mkdtempSync(path.join(os.tmpdir(), 'apillon-sdk-e2e-'));
    for (const [relative, content] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
      writeFileSync(path.join(folder, relative), content);
    }
    storage = new Storage({ key: stack.credentials.apiKey, secret: stack.credentials.apiSecret, apiUrl: stack.baseUrl, logLevel: LogLevel.NONE });
  });

  afterAll(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('creates a bucket and reads it back', async () => {
    // act
    bucket = await storage.createBucket({ name: `sdk-e2e-${Date.now()}`, description: 'made by the SDK' });
    const again = await storage.bucket(bucket.uuid).get();
    const listed = await storage.listBuckets({ limit: 100 });

    // assess
    expect(bucket.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(again).toMatchObject({ name: bucket.name, description: 'made by the SDK', size: 0, bucketType: 1 });
    expect(listed.items.map((item) => item.uuid)).toContain(bucket.uuid);
  });

  it('uploads a folder of nested files; the server’s CIDs match the SDK’s', async () => {
    // act
    const uploaded = await bucket.uploadFromFolder(folder);

    // assess: one result per file, with the gateway link of the CID the SDK computed
    expect(uploaded.map((file) => `${file.path}${file.fileName}`).sort()).toEqual(Object.keys(FILES).sort());
    for (const file of uploaded) {
      expect(file.fileUuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(file.url).toBe(`${stack.baseUrl}/ipfs/${file.CID}`);
    }
    // the SDK does not wait: poll the bucket's files until the service has addressed them all
    const deadline = Date.now() + 60_000;
    let files = await bucket.listFiles({ limit: 100 });
    while (files.items.some((file) => file.status < FileStatus.AVAILABLE_ON_IPFS) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      files = await bucket.listFiles({ limit: 100 });
    }
    expect(files.total).toBe(5);
    const serverCids = Object.fromEntries(files.items.map((file) => [file.uuid, file.CID]));
    for (const file of uploaded) expect(serverCids[file.fileUuid!]).toBe(file.CID);
    // and the gateway serves what was uploaded
    const readme = uploaded.find((file) => file.fileName === 'readme.txt')!;
    expect(await (await fetch(readme.url!)).text()).toBe(FILES['readme.txt']);
  });

  it('lists the bucket: root files, directories expanded one level by the SDK', async () => {
    // act
    const { items, total } = await bucket.listObjects({ orderBy: 'name' });

    // assess
    expect(total).toBe(3); // index.html, readme.txt, sub
    const shape = items.map((item) => `${item.type === StorageContentType.FILE ? 'F' : 'D'} ${item.name}`);
    expect(shape).toEqual(['F index.html', 'F readme.txt', 'D sub', 'D deeper', 'F notes.md']);
    const sub = items.find((item) => item.type === StorageContentType.DIRECTORY && item.name === 'sub')!;
    const deeperUuid = items.find((item) => item.name === 'deeper')!.uuid;
    const deeper = await storage.bucket(bucket.uuid).directory(deeperUuid).get();
    expect(deeper.map((item: { name: string }) => item.name)).toEqual(['data.json', 'pixel.bin']);
    expect((deeper[0] as { directoryUuid?: string }).directoryUuid).toBe(deeperUuid);
    expect(deeperUuid).not.toBe(sub.uuid);
  });

  it('gets one file', async () => {
    // prepare
    const { items } = await bucket.listFiles({ limit: 100 });
    const notes = items.find((item) => item.name === 'notes.md')!;

    // act
    const file = await bucket.file(notes.uuid).get();

    // assess
    expect(file).toMatchObject({ name: 'notes.md', CID: notes.CID, path: 'sub/', link: `${stack.baseUrl}/ipfs/${notes.CID}` });
    expect(file.status).toBeGreaterThanOrEqual(FileStatus.AVAILABLE_ON_IPFS);
    expect(file.directoryUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('deletes one file; it leaves the listings', async () => {
    // prepare
    const { items } = await bucket.listFiles({ limit: 100 });
    const readme = items.find((item) => item.name === 'readme.txt')!;

    // act
    await bucket.file(readme.uuid).delete();

    // assess
    const after = await bucket.listFiles({ limit: 100 });
    expect(after.total).toBe(4);
    expect(after.items.map((item) => item.name)).not.toContain('readme.txt');
    const root = await bucket.listObjects();
    expect(root.items.map((item) => item.name)).not.toContain('readme.txt');
    const marked = await bucket.listObjects({ markedForDeletion: true });
    expect(marked.items.map((item) => item.name)).toEqual(['readme.txt']);
  });

  it('answers getInfo and generateIpfsLink', async () => {
    // act
    const info = await storage.getInfo();
    const link = await storage.generateIpfsLink('bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq');

    // assess
    expect(info.usedStorage).toBeGreaterThan(0);
    expect(info.availableStorage).toBeGreaterThan(0);
    expect(link).toBe(`${stack.baseUrl}/ipfs/bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq`);
    expect(typeof info.usedBandwidth).toBe('number');
    expect(typeof info.availableBandwidth).toBe('number');
  });

  it('answers getIpfsClusterInfo with this service’s gateways', async () => {
    // act
    const cluster = await storage.getIpfsClusterInfo();

    // assess
    expect(cluster).toMatchObject({ ipfsGateway: `${stack.baseUrl}/ipfs/`, ipnsGateway: `${stack.baseUrl}/ipns/`, secret: '' });
  });

  it('creates, publishes, gets, lists and deletes an IPNS name; the gateway serves its record', async () => {
    // prepare
    const cid = 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq';

    // act
    const created = await bucket.createIpns({ name: 'e2e-name', description: 'made by the SDK' });
    const published = await bucket.ipns(created.uuid).publish(cid);
    const fetched = await bucket.ipns(created.uuid).get();
    const listed = await bucket.listIpnsNames();
    const link = await storage.generateIpfsLink(created.ipnsName!, 'ipns');
    const record = await fetch(`${stack.baseUrl}/ipns/${created.ipnsName}?format=ipns-record`);
    await bucket.ipns(created.uuid).delete();
    const afterDelete = await bucket.listIpnsNames();

    // assess
    expect(created.ipnsName).toMatch(/^k51/);
    expect(published.ipnsValue).toBe(`/ipfs/${cid}`);
    expect(fetched).toMatchObject({ name: 'e2e-name', ipnsName: created.ipnsName });
    expect(listed.items.map((item) => item.uuid)).toContain(created.uuid);
    expect(link).toBe(`${stack.baseUrl}/ipns/${created.ipnsName}`);
    expect(record.status).toBe(200);
    expect(record.headers.get('content-type')).toBe('application/vnd.ipfs.ipns-record');
    expect(afterDelete.items.map((item) => item.uuid)).not.toContain(created.uuid);
  });

  it('uploads files without wrapping (uploadFiles): each gets its own CID and link', async () => {
    // prepare
    wrapBucket = await storage.createBucket({ name: `sdk-e2e-wrap-${Date.now()}` });

    // act
    const uploaded = await wrapBucket.uploadFiles([{ fileName: 'plain.txt', contentType: 'text/plain', content: Buffer.from('plain file') }]);

    // assess
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]!.url).toBe(`${stack.baseUrl}/ipfs/${uploaded[0]!.CID}`);
    const file = await settle(() => wrapBucket.file(uploaded[0]!.fileUuid!).get(), (got) => got.status >= FileStatus.AVAILABLE_ON_IPFS);
    expect(file).toMatchObject({ name: 'plain.txt', CID: uploaded[0]!.CID, path: '' });
  });

  it('uploads files wrapped in a directory (uploadFiles with wrapWithDirectory and directoryPath): they land under it', async () => {
    // act
    const uploaded = await wrapBucket.uploadFiles(
      WRAPPED.map(({ fileName, path: directory, content }) => ({ fileName, ...(directory ? { path: directory } : {}), content: Buffer.from(content) })),
      { wrapWithDirectory: true, directoryPath: WRAP_PATH },
    );

    // assess: the SDK computes no CID for a wrapped upload; the service places the files and addresses them
    expect(uploaded.map((file) => file.fileName).sort()).toEqual(['a.txt', 'b.json', 'index.html']);
    const uuids = uploaded.map((file) => file.fileUuid!);
    const files = await settle(
      () => wrapBucket.listFiles({ limit: 100 }),
      (list) => uuids.every((uuid) => list.items.some((item) => item.uuid === uuid && item.status >= FileStatus.AVAILABLE_ON_IPFS)),
    );
    const placed = Object.fromEntries(files.items.filter((item) => uuids.includes(item.uuid)).map((item) => [item.name, item.path]));
    expect(placed).toEqual({ 'index.html': `${WRAP_PATH}/`, 'a.txt': `${WRAP_PATH}/assets/`, 'b.json': `${WRAP_PATH}/assets/data/` });
  });

  it('lists the wrapping directory with its path, and its content (listObjects, directory.get)', async () => {
    // act
    const root = await wrapBucket.listObjects({ orderBy: 'name' });
    const wrapping = await directoryAt(wrapBucket, WRAP_PATH);
    const content: Listed[] = await wrapBucket.directory(wrapping!.uuid).get();

    // assess: nothing of the session is left at the root or in a folder named after its upload paths
    expect(root.items.filter((item) => !item.name.includes('.')).map((item) => item.name)).toEqual(['site', 'v1']);
    expect(root.items.filter((item) => item.type === StorageContentType.FILE).map((item) => item.name)).toEqual(['plain.txt']);
    expect(wrapping).toMatchObject({ name: 'v1', type: StorageContentType.DIRECTORY });
    expect(content.map((item) => `${item.type === StorageContentType.FILE ? 'F' : 'D'} ${item.name}`).sort()).toEqual(['D assets', 'F index.html']);
  });

  it('uploads a folder wrapped in a directory (uploadFromFolder with wrapWithDirectory)', async () => {
    // act
    const uploaded = await wrapBucket.uploadFromFolder(folder, { wrapWithDirectory: true, directoryPath: 'folder-wrap' });

    // assess
    const uuids = uploaded.map((file) => file.fileUuid!);
    const files = await settle(
      () => wrapBucket.listFiles({ limit: 100 }),
      (list) => uuids.every((uuid) => list.items.some((item) => item.uuid === uuid && item.status >= FileStatus.AVAILABLE_ON_IPFS)),
    );
    const paths = files.items.filter((item) => uuids.includes(item.uuid)).map((item) => `${item.path}${item.name}`);
    expect(paths.sort()).toEqual(Object.keys(FILES).map((relative) => `folder-wrap/${relative}`).sort());
    const wrapping = await directoryAt(wrapBucket, 'folder-wrap');
    const content: Listed[] = await wrapBucket.directory(wrapping!.uuid).get();
    expect(content.map((item) => item.name).sort()).toEqual(['index.html', 'readme.txt', 'sub']);
  });

  it('links a real file’s CID on IPFS, and deletes a directory with everything in it (directory.delete)', async () => {
    // prepare
    const wrapping = await directoryAt(wrapBucket, 'folder-wrap');
    const { items } = await wrapBucket.listFiles({ limit: 100 });
    const readme = items.find((item) => item.path === 'folder-wrap/' && item.name === 'readme.txt')!;

    // act
    const link = await storage.generateIpfsLink(readme.CID!);
    const served = await (await fetch(link)).text();
    await wrapBucket.directory(wrapping!.uuid).delete();

    // assess
    expect(served).toBe(FILES['readme.txt']);
    expect((await wrapBucket.listObjects()).items.map((item) => item.name)).not.toContain('folder-wrap');
  });

  it('shows the wrapping directory’s CID, the one kubo gives for the same files (once directory CIDs settle)', async () => {
    // prepare: kubo's `ipfs add -r --cid-version=1 --raw-leaves=false` over the same tree, by an independent importer
    let expected: string | undefined;
    const tree = WRAPPED.map(({ fileName, path: directory, content }) => ({ path: directory ? `${directory}/${fileName}` : fileName, content: new TextEncoder().encode(content) }));
    for await (const entry of importer(tree, new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion: 1, rawLeaves: false, wrapWithDirectory: true })) {
      if (entry.path === '') expected = entry.cid.toString();
    }

    // act: directory CIDs are computed a few seconds after their files are addressed
    const wrapping = await settle(() => directoryAt(wrapBucket, WRAP_PATH), (found) => found?.CID === expected);

    // assess
    expect(expected).toMatch(/^bafy/);
    expect(wrapping).toMatchObject({ name: 'v1', CID: expected });
  });

  it('gives the bucket root, after the wrapped end, the CID kubo gives the whole bucket, within seconds (not at the sweeper’s pass)', async () => {
    // prepare: the bucket as it stands: plain.txt at the root and the wrapped tree under WRAP_PATH (folder-wrap was deleted)
    const tree = [
      { path: 'plain.txt', content: new TextEncoder().encode('plain file') },
      ...WRAPPED.map(({ fileName, path: directory, content }) => ({
        path: `${WRAP_PATH}/${directory ? `${directory}/` : ''}${fileName}`,
        content: new TextEncoder().encode(content),
      })),
    ];
    let expected: string | undefined;
    for await (const entry of importer(tree, new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion: 1, rawLeaves: false, wrapWithDirectory: true })) {
      if (entry.path === '') expected = entry.cid.toString();
    }

    // act: the bucket is public; its root is served under its CID once that CID is computed
    const served = await settle(() => fetch(`${stack.baseUrl}/ipfs/${expected}/plain.txt`), (answer) => answer.status === 200);

    // assess
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('plain file');
  });

  it('serves the wrapped files under the wrapping directory’s CID (the path gateway), and links it', async () => {
    // act
    const wrapping = await settle(() => directoryAt(wrapBucket, WRAP_PATH), (found) => !!found?.CID);
    const served = await fetch(`${stack.baseUrl}/ipfs/${wrapping!.CID}/assets/a.txt`);

    // assess
    expect(wrapping!.link).toBe(`${stack.baseUrl}/ipfs/${wrapping!.CID}`);
    expect(await served.text()).toBe('asset a');
  });
});

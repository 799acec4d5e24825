/**
 * The official `@apillon/sdk` (3.x) pointed at the local stack (`apiUrl`, the
 * stack's fixed API key and secret): create a bucket, upload a folder of nested
 * files, list them, get one, delete one. See docs/apillon-sdk-contract.md: the
 * SDK PUTs without a Content-Type, asks for links before it uploads, and matches
 * answers on fileName + path. Basenames are unique here because of the SDK's own
 * root-file matching bug (a root `a.txt` would also match `sub/a.txt`).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStatus, LogLevel, Storage, StorageContentType } from '@apillon/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

type StorageBucket = Awaited<ReturnType<Storage['createBucket']>>;

const FILES: Record<string, string> = {
  'index.html': '<h1>hello</h1>',
  'readme.txt': 'root readme',
  'sub/notes.md': '# notes',
  'sub/deeper/data.json': '{"answer":42}',
  'sub/deeper/pixel.bin': 'binary-ish \u0000\u0001\u0002',
};

describe('the official @apillon/sdk against the local stack', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let folder: string;
  let storage: Storage;
  let bucket: StorageBucket;

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
});

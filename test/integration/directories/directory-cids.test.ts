/**
 * Directory CIDs end to end on the emulators: a generated tree is stored through the
 * Quantum API (nested folders, unicode names, an empty file, an empty folder, one folder
 * past kubo's HAMT threshold, a file of two chunks), its files go through the lifecycle,
 * its directories are settled, and every directory's CIDv1 and CIDv0, and the root's,
 * must be what ipfs-unixfs-importer 17 with kubo's options computes for the same tree.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HAMT_SHARDING_THRESHOLD_BYTES } from '../../../lib/cid/directory';
import { mapConcurrently } from '../../../lib/core/model/concurrency';
import { isBucketRoot } from '../../../lib/core/directories/directories';
import { advanceFile } from '../../../lib/core/lifecycle/lifecycle';
import { MAX_SEGMENT_BYTES } from '../../../lib/core/model/paths';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { prngBytes } from '../../support/data';
import { importerDirectoryCids, settleDirectories } from '../../support/directories';
import { invoke } from '../../support/events';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { addFiles, quantum, routeEvent } from '../quantum/support';

/** Enough 255-byte names that Σ(name + CID bytes) passes 256 KiB with 34-byte CIDv0s as with 36-byte CIDv1s. */
const WIDE_COUNT = Math.ceil(HAMT_SHARDING_THRESHOLD_BYTES / (MAX_SEGMENT_BYTES + 34)) + 8;

function generatedTree(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('a.txt', new TextEncoder().encode('root a'));
  files.set('sub/b.txt', prngBytes(100, 1));
  files.set('sub/deeper/c.bin', prngBytes(300_000, 2)); // two chunks: its v0 and v1 DAGs differ in size
  files.set('sub/deeper/empty', new Uint8Array(0));
  files.set('Ü/ünïcode name.txt', prngBytes(10, 3));
  files.set('日本語/フォルダ/ファイル 📄.txt', prngBytes(33, 4));
  for (let i = 0; i < WIDE_COUNT; i++) {
    const prefix = `${String(i).padStart(4, '0')}-`;
    files.set(`wide/${prefix}${'x'.repeat(MAX_SEGMENT_BYTES - prefix.length)}`, prngBytes(20, 100 + i));
  }
  return files;
}

const EMPTY_DIRECTORIES = ['void'];

let services: Services;
let tenant: TestTenant;
const tree = generatedTree();

/** Stores `files` with Quantum adds (50 a request, by folder) and takes every file to status 4. */
async function storeTree(files: Map<string, Uint8Array>): Promise<void> {
  const byFolder = new Map<string, { name: string; content: Uint8Array }[]>();
  for (const [path, content] of files) {
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), { name: path.slice(path.lastIndexOf('/') + 1), content }]);
  }
  const requests = [...byFolder].flatMap(([folder, entries]) =>
    Array.from({ length: Math.ceil(entries.length / 50) }, (_, i) => ({ folder, entries: entries.slice(i * 50, i * 50 + 50) })),
  );
  await mapConcurrently(requests, 3, async ({ folder, entries }) => {
    const answer = await addFiles(tenant.headers.master, tenant.bucket.name, folder === '' ? undefined : folder, entries);
    if (answer.statusCode !== 200) throw new Error(`file/add ${folder}: ${answer.statusCode} ${answer.rawBody}`);
  });
  for (const location of EMPTY_DIRECTORIES) {
    const answer = await invoke(quantum.fileMkdir, routeEvent({ method: 'POST', route: '/file/mkdir/{bucket}/{location+}', params: { bucket: tenant.bucket.name, location }, headers: tenant.headers.master }));
    if (answer.statusCode !== 200) throw new Error(`mkdir ${location}: ${answer.statusCode} ${answer.rawBody}`);
  }
  const claims = await services.entries.listSubtreeClaims(tenant.bucket.bucketUuid, '');
  await mapConcurrently(claims.filter((claim) => claim.type === 'file'), 8, (claim) => advanceFile(services, claim.entryUuid));
}

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services);
  await storeTree(tree);
}, 300_000);

describe('directory CIDs', () => {
  it('equal the CIDs kubo’s importer gives the same tree, v1 and v0, for every directory and the root', async () => {
    // prepare
    const [expectedV1, expectedV0] = [await importerDirectoryCids(tree, EMPTY_DIRECTORIES, 1), await importerDirectoryCids(tree, EMPTY_DIRECTORIES, 0)];

    // act
    const addresses = await settleDirectories(services, tenant.bucket.bucketUuid);

    // assess
    const stored = new Map<string, { cidV1?: string; cidV0?: string }>();
    for (const claim of await services.entries.listSubtreeClaims(tenant.bucket.bucketUuid, '')) {
      if (claim.type !== 'directory') continue;
      const record = await services.entries.get(claim.entryUuid);
      stored.set(claim.path, { cidV1: record?.cidV1, cidV0: record?.cidV0 });
    }
    const root = await services.directories.get({ bucketUuid: tenant.bucket.bucketUuid, directoryUuid: null });
    stored.set('', { cidV1: root?.cids?.cidV1, cidV0: root?.cids?.cidV0 });
    const expected = new Map([...expectedV1].map(([path, cidV1]) => [path, { cidV1, cidV0: expectedV0.get(path) }]));
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expect([...addresses.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expectedV1.get('wide')).not.toBe(undefined);
  }, 120_000);

  it('are found through the CID index like files, with type directory; the root with path ""', async () => {
    // prepare
    const addresses = await settleDirectories(services, tenant.bucket.bucketUuid);
    const wide = addresses.get('wide')!;
    const root = addresses.get('')!;

    // act
    const byV1 = await services.entries.findByCid(tenant.bucket.bucketUuid, { v1: wide.cidV1 });
    const byV0 = await services.entries.findByCid(tenant.bucket.bucketUuid, { v0: wide.cidV0 });
    const anywhere = [];
    for await (const entry of services.entries.findByCidInAnyBucket({ v0: root.cidV0 })) anywhere.push(entry);

    // assess
    expect(byV1.map((entry) => [entry.type, entry.path])).toEqual([['directory', 'wide']]);
    expect(byV0.map((entry) => [entry.type, entry.path])).toEqual([['directory', 'wide']]);
    expect(anywhere).toHaveLength(1);
    expect(anywhere[0]).toMatchObject({ type: 'directory', path: '', bucketUuid: tenant.bucket.bucketUuid, cidV1: root.cidV1 });
    expect(isBucketRoot(anywhere[0]!)).toBe(true);
  });

  it('change nothing when addressed again (a replayed recompute)', async () => {
    // prepare
    const before = await settleDirectories(services, tenant.bucket.bucketUuid);

    // act
    const after = await settleDirectories(services, tenant.bucket.bucketUuid);

    // assess
    expect([...after.values()].every((address) => !address.changed)).toBe(true);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  });
});

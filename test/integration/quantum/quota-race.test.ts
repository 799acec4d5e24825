import { describe, expect } from 'vitest';
import { isFile } from '../../../lib/core/model/entries';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf, uploadUrl } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';
import { addFiles, snapshot } from './support';

const QUOTA = 10_000;

const it = tenantTest({ quotaBytes: QUOTA });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

/** Presigned uploads (the Apillon route's flow) whose bytes are already in S3, not yet committed. */
async function presignedUploads(count: number, size: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const file = await requestUpload(services, tenant.bucket, {
        fileName: `presigned-${i}.bin`,
        directory: ['presigned'],
        contentType: 'application/octet-stream',
        declaredSize: size,
        overwrite: false,
      });
      const put = await fetch(await uploadUrl(services, file), { method: 'PUT', body: new Uint8Array(size).fill(i) });
      expect(put.status).toBe(200);
      return file;
    }),
  );
}

/**
 * The S3 event function as Lambda runs it: a run that throws (two duplicate
 * deliveries replicating the same object at once can trip s3rver) is retried.
 */
async function deliverObjectCreated(key: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await processObjectCreated(services, key);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

describe('quota under racing uploads of both surfaces', () => {
  it('never lets usage pass the quota, and usage equals the bytes of the stored files', async () => {
    // prepare: 12 Quantum adds of 2 × 500 B and 10 presigned uploads of 700 B, 19 000 B against a 10 000 B quota
    const presigned = await presignedUploads(10, 700);
    const adds = Array.from({ length: 12 }, (_, i) => [
      { name: `add-${i}-a.bin`, content: new Uint8Array(500).fill(i) },
      { name: `add-${i}-b.bin`, content: new Uint8Array(500).fill(i) },
    ]);

    // act: everything at once; the S3 event is delivered twice (at least once) for each presigned upload
    const [addResults] = await Promise.all([
      Promise.all(adds.map((files) => addFiles(tenant.headers.master, tenant.bucket.name, 'quantum', files))),
      Promise.all(presigned.flatMap((file) => [deliverObjectCreated(uploadKeyOf(file)), deliverObjectCreated(uploadKeyOf(file))])),
    ]);

    // assess
    const state = await snapshot(services, tenant.bucket);
    const storedFiles = [];
    for (const path of state.paths) {
      const claim = await services.entries.getPathClaim(tenant.bucket.bucketUuid, path);
      const entry = await services.entries.get(claim!.entryUuid);
      if (entry && isFile(entry)) storedFiles.push(entry);
    }
    const storedBytes = storedFiles.reduce((sum, file) => sum + (file.size ?? 0), 0);
    expect(state.accountUsedBytes).toBeLessThanOrEqual(QUOTA);
    expect(state.accountUsedBytes).toBe(storedBytes);
    expect(state.bucketSizeBytes).toBe(storedBytes);
    expect(state.objects.sort()).toEqual(storedFiles.map((file) => file.objectKey).sort());

    // every add is all or nothing, and refused ones say why
    for (const [i, result] of addResults.entries()) {
      const mine = state.paths.filter((path) => path.startsWith(`quantum/add-${i}-`));
      if (result.statusCode === 200) expect(mine).toHaveLength(2);
      else {
        expect({ status: result.statusCode, body: result.body }).toEqual({ status: 400, body: { status: 'error', message: 'INSUFFICIENT_SPACE', data: expect.objectContaining({ limitBytes: QUOTA }) } });
        expect(mine).toEqual([]);
      }
    }
    // every presigned upload ended stored or refused for space
    const outcomes = await Promise.all(presigned.map((file) => services.entries.get(file.uuid)));
    for (const outcome of outcomes) expect([2, 3, 4, 102, 103]).toContain(outcome?.fileStatus);
    // the race had winners and losers
    const stored = addResults.filter((result) => result.statusCode === 200).length + outcomes.filter((file) => (file?.fileStatus ?? 0) < 100).length;
    const refused = addResults.length + outcomes.length - stored;
    expect(stored).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

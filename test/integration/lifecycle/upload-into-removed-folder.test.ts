import { describe, expect } from 'vitest';
import { listDirectory } from '../../../lib/core/read/listing';
import { markDirectoryForDeletion, removePath } from '../../../lib/core/deletion/deletion';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import { createTestBucket, type TestTenant } from '../../support/services';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const list = (bucketUuid: string, directoryUuid: string | null) =>
  listDirectory(services.listings, { bucketUuid, directoryUuid, orderBy: ['name'], desc: [], page: 1, limit: 20 });

describe('bytes that arrive after their folder was removed', () => {
  it.each([
    ['removed (Quantum remove)', (bucketUuid: string) => removePath(services, { ...tenant.bucket, bucketUuid }, 'dir')],
    ['deleted (Apillon directory delete)', async (bucketUuid: string) => {
      const claim = await services.entries.getPathClaim(bucketUuid, 'dir');
      await markDirectoryForDeletion(services, (await services.entries.get(claim!.entryUuid))!);
    }],
  ])('land in the folder made again, visible and listed, when it was %s', async (_, removeFolder) => {
    // prepare
    const bucket = await createTestBucket(services, tenant.accountId);
    const file = await requestUpload(services, bucket, { fileName: 'f.txt', directory: ['dir'], contentType: 'text/plain', overwrite: true });
    await removeFolder(bucket.bucketUuid);
    expect(await list(bucket.bucketUuid, null)).toMatchObject({ items: [], total: 0 });

    // act
    await services.blobs.put(uploadKeyOf(file), new TextEncoder().encode('late bytes'), 'text/plain');
    const committed = await processObjectCreated(services, uploadKeyOf(file));

    // assess
    const root = await list(bucket.bucketUuid, null);
    expect(root).toMatchObject({ total: 1, items: [{ type: 'directory', name: 'dir' }] });
    const folder = await list(bucket.bucketUuid, root.items[0]!.uuid);
    expect(folder).toMatchObject({ total: 1, items: [{ uuid: file.uuid, name: 'f.txt' }] });
    expect(committed).toMatchObject({ fileStatus: 4, parentUuid: root.items[0]!.uuid });
  });
});

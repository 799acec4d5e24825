import { describe, expect } from 'vitest';
import { isFile } from '../../../lib/core/model/entries';
import { advanceFile, processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

describe('a Quantum upload racing with its own S3 event', () => {
  it('keeps the bytes whichever of the two commits first (20 rounds)', async () => {
    // prepare
    const rounds = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const file = await requestUpload(services, tenant.bucket, {
          fileName: `raced-${i}.txt`,
          directory: ['race'],
          contentType: 'text/plain',
          declaredSize: 5,
          overwrite: false,
        });
        await services.blobs.put(uploadKeyOf(file), new TextEncoder().encode('bytes'), 'text/plain');
        return file;
      }),
    );

    // act: the request commits synchronously while the event function runs for the same object
    const results = await Promise.all(
      rounds.map((file) => Promise.all([advanceFile(services, file.uuid), processObjectCreated(services, uploadKeyOf(file))])),
    );

    // assess
    for (const [committed] of results) {
      expect(committed && isFile(committed) ? committed.fileStatus : undefined).toBeGreaterThanOrEqual(2);
      expect(committed!.fileStatus).toBeLessThan(100);
      expect(await services.blobs.head(committed!.objectKey!)).toMatchObject({ size: 5 });
    }
  });
});

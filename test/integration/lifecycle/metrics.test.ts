/**
 * The lifecycle counts what it does through the metrics port (lib/core/ports/metrics.ts):
 * a commit, a rejection by its status, and the time and bytes of addressing a file.
 * Storage is the emulators; only the metrics port is a recorder.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sdkS3 } from '../../support/sdk-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { METRIC_NAMES, type Metrics } from '../../../lib/core/ports/metrics';
import type { LifecycleDeps } from '../../../lib/core/ports/storage';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import { provisionBuckets, provisionTable } from '../../../lib/store/provision';
import type { Services } from '../../../lib/app/services';
import { buildTestServices, createTestTenant, type TestTenant } from '../../support/services';
import { uploadedFile } from '../events/helpers';

type Recorded = { kind: 'count' | 'timing' | 'bytes'; name: string; value: number; dimensions?: Readonly<Record<string, string>> };

/** A metrics port that keeps what it is given. */
function recordingMetrics(): Metrics & { recorded: Recorded[] } {
  const recorded: Recorded[] = [];
  return {
    recorded,
    count: (name, value = 1, dimensions) => recorded.push({ kind: 'count', name, value, ...(dimensions ? { dimensions } : {}) }),
    timing: (name, ms) => recorded.push({ kind: 'timing', name, value: ms }),
    bytes: (name, n) => recorded.push({ kind: 'bytes', name, value: n }),
  };
}

let services: Services;
let tenant: TestTenant;

beforeAll(async () => {
  services = buildTestServices();
  await Promise.all([
    provisionTable(services.clients.dynamo, services.config.TABLE_NAME),
    provisionBuckets(services.clients.s3, [services.config.FILES_BUCKET, services.config.REPLICA_BUCKET]),
  ]);
  tenant = await createTestTenant(services);
});

describe('lifecycle metrics', () => {
  it('counts one commit and records the CID time and the bytes hashed when a file goes 1→4', async () => {
    // prepare
    const file = await uploadedFile(services, tenant, 'counted.txt', 'seventeen bytes!!');
    const metrics = recordingMetrics();
    const deps: LifecycleDeps = { ...services, metrics };

    // act
    const result = await processObjectCreated(deps, file.key);

    // assess
    expect(result).toMatchObject({ fileStatus: 4 });
    expect(metrics.recorded.filter((entry) => entry.name === METRIC_NAMES.commits)).toEqual([{ kind: 'count', name: 'UploadsCommitted', value: 1 }]);
    expect(metrics.recorded.filter((entry) => entry.name === METRIC_NAMES.cidBytes)).toEqual([{ kind: 'bytes', name: 'CidBytes', value: 17 }]);
    const timings = metrics.recorded.filter((entry) => entry.name === METRIC_NAMES.cidTime);
    expect(timings).toHaveLength(1);
    expect(timings[0]).toMatchObject({ kind: 'timing' });
    expect(timings[0]!.value).toBeGreaterThanOrEqual(0);
    expect(metrics.recorded.some((entry) => entry.name === METRIC_NAMES.rejections)).toBe(false);
  });

  it('counts a rejection with its status as a dimension, once, and no commit', async () => {
    // prepare: 5 bytes where 3 were declared
    const file = await requestUpload(services, tenant.bucket, { fileName: 'wrong-size.txt', directory: [], contentType: 'text/plain', declaredSize: 3, overwrite: true });
    await sdkS3(services.config).send(new PutObjectCommand({ Bucket: services.config.FILES_BUCKET, Key: uploadKeyOf(file), Body: 'hello' }));
    const metrics = recordingMetrics();
    const deps: LifecycleDeps = { ...services, metrics };

    // act
    await processObjectCreated(deps, uploadKeyOf(file));
    await processObjectCreated(deps, uploadKeyOf(file)); // a duplicate delivery moves nothing, so counts nothing

    // assess
    const stored = await services.entries.get(file.uuid);
    expect(stored!.fileStatus).toBeGreaterThanOrEqual(100);
    expect(metrics.recorded).toEqual([{ kind: 'count', name: 'UploadsRejected', value: 1, dimensions: { status: String(stored!.fileStatus) } }]);
  });
});

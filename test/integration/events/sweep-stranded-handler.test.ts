/**
 * The scheduled sweeper function: it completes what it finds and reports the
 * count twice on stdout, as a structured log line and as the EMF metric line
 * StrandedFilesAlarm reads (namespace StorageService, dimensions service and stage,
 * the alarm's Dimensions in infra/alarms.yml).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as sweepStranded } from '../../../functions/events/sweep-stranded/handler';
import { provisionBuckets, provisionTable } from '../../../lib/store/provision';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { lambdaContext } from '../../support/events';
import { buildTestServices, createTestTenant, type TestTenant } from '../../support/services';
import { markPendingSince, statusOf, uploadedFile } from './helpers';

let services: Services;
let tenant: TestTenant;

beforeAll(async () => {
  // Metrics are off in tests (vitest.config.mts); this test reads them. Powertools reads the variable when the services are built.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  services = buildTestServices({ LOG_LEVEL: 'info' });
  await Promise.all([
    provisionTable(services.clients.dynamo, services.config.TABLE_NAME),
    provisionBuckets(services.clients.s3, [services.config.FILES_BUCKET, services.config.REPLICA_BUCKET]),
  ]);
  setServicesForTests(services);
  tenant = await createTestTenant(services);
});

afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  setServicesForTests(undefined);
  vi.unstubAllEnvs();
});

describe('the sweep-stranded function', () => {
  it('completes a stranded file and prints the "stranded files found" log line and the StrandedFilesFound metric', async () => {
    // prepare
    const file = await uploadedFile(services, tenant, 'lost-event.txt', 'nobody processed me');
    await markPendingSince(services, file.uuid, new Date(Date.now() - 60 * 60_000));
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });

    // act
    const result = await sweepStranded(undefined, lambdaContext());

    // assess
    vi.restoreAllMocks();
    expect(result).toMatchObject({ found: 1, completed: 1, failed: 0 });
    expect(await statusOf(services, file.uuid)).toBe(4);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(parsed.find((entry) => entry.message === 'stranded files found')).toMatchObject({ level: 'info', found: 1, completed: 1, failed: 0 });
    const metric = parsed.find((entry) => entry._aws && 'StrandedFilesFound' in entry);
    expect(metric).toMatchObject({ service: 'storage', stage: 'test', StrandedFilesFound: 1, StrandedFilesFailed: 0 });
    expect(metric!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'StorageService', Dimensions: [['service', 'stage']] });
  });
});

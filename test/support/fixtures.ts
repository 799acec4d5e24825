/**
 * The integration files' shared setup, as vitest fixtures (`test.extend`), file-scoped:
 *
 * - `services`: this file's services (its own table and buckets, test/support/services.ts),
 *   also installed as the process-wide services the handlers use (`setServicesForTests`),
 *   and uninstalled after the file, whatever happened in it;
 * - `tenant`: an account with a master key, an API key, a bucket and a token for it.
 *
 * ```ts
 * const it = tenantTest({ quotaBytes: 5_000 });   // options of the file's tenant, if any
 * let services: Services;
 * let tenant: TestTenant;
 * it.beforeAll(({ services: s, tenant: t }) => void ((services = s), (tenant = t)));
 * ```
 * Tests may also take them from their context: `it('…', async ({ tenant }) => …)`.
 */
import { test } from 'vitest';
import { setServicesForTests, type Services } from '../../lib/app/services';
import { createTestTenant, testServices, type TestTenant } from './services';

export type TenantOptions = Parameters<typeof createTestTenant>[1];

/** `it`/`test` with the file-scoped `services` and `tenant` fixtures (`tenant` made with `options`). */
export function tenantTest(options: TenantOptions = {}) {
  return test.extend<{ $file: { services: Services; tenant: TestTenant } }>({
    services: [
      async ({}, use) => {
        const services = await testServices();
        setServicesForTests(services);
        try {
          await use(services);
        } finally {
          setServicesForTests(undefined);
        }
      },
      { scope: 'file' },
    ],
    tenant: [async ({ services }, use) => use(await createTestTenant(services, options)), { scope: 'file' }],
  });
}

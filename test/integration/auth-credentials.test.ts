import { describe, expect } from 'vitest';
import type { Surface } from '../../lib/http/render';
import type { Services } from '../../lib/app/services';
import { basicAuthorization, invoke, type InvokeResult } from '../support/events';
import { expectApillonError, expectApillonSuccess, expectQuantumError, expectQuantumSuccess } from '../support/envelopes';
import { probeRoutes } from '../support/probes';
import { tenantTest } from '../support/fixtures';
import { createTestApiKey, createTestTenant, type TestTenant } from '../support/services';

const it = tenantTest();

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** How each surface renders the outcomes of authentication (SPEC §3 and §4). */
const SURFACES: Record<Surface, {
  missing: (response: InvokeResult) => void;
  malformed: (response: InvokeResult) => void;
  invalid: (response: InvokeResult) => void;
  success: (response: InvokeResult) => unknown;
}> = {
  apillon: {
    missing: (response) => expectApillonError(response, { status: 400, code: 40000003, message: 'Missing Authorization header', path: '/probe' }),
    malformed: (response) => expectApillonError(response, { status: 400, code: 40000004, message: 'Malformed Authorization header', path: '/probe' }),
    invalid: (response) => expectApillonError(response, { status: 401, code: 40100001, message: 'Invalid API key or API key secret', path: '/probe' }),
    success: (response) => {
      expectApillonSuccess(response);
      return response.body.data;
    },
  },
  quantum: {
    missing: (response) => expectQuantumError(response, { status: 401, message: 'UNAUTHORIZED' }),
    malformed: (response) => expectQuantumError(response, { status: 401, message: 'UNAUTHORIZED' }),
    invalid: (response) => expectQuantumError(response, { status: 401, message: 'UNAUTHORIZED' }),
    success: (response) => {
      expectQuantumSuccess(response);
      return response.body.data;
    },
  },
};

describe.each(Object.keys(SURFACES) as Surface[])('authentication on the %s surface', (surface) => {
  const expected = SURFACES[surface];
  let services: Services;
  let tenant: TestTenant;
  let whoami: ReturnType<typeof probeRoutes>['whoami'];
  const call = (headers: Record<string, string>) => invoke(whoami, { method: 'GET', rawPath: '/probe', headers });

  it.beforeAll(async ({ services: s }) => {
    services = s;
    tenant = await createTestTenant(services);
    whoami = probeRoutes(surface, services).whoami;
  });

  describe('missing credentials', () => {
    it.each([
      ['no credential header at all', {}],
      ['an empty Authorization header', { authorization: '' }],
      ['a blank Authorization header', { authorization: '   ' }],
    ])('rejects %s', async (_, headers) => {
      // act
      const response = await call(headers);

      // assess
      expected.missing(response);
    });
  });

  describe('malformed Authorization header', () => {
    it.each([
      ['a Bearer token', 'Bearer x'],
      ['Basic without credentials', 'Basic'],
      ['Basic with non-base64 text', 'Basic !!!'],
      ['Basic with impossible base64 length', 'Basic abcde'],
      ['Basic without a colon', `Basic ${b64('nocolon')}`],
      ['Basic with an empty key', `Basic ${b64(':secret')}`],
      ['Basic with an empty secret', `Basic ${b64('key:')}`],
      ['Basic with two tokens', `Basic ${b64('key:secret')} extra`],
      ['Basic with invalid UTF-8 (0xFF × 700)', `Basic ${Buffer.concat([Buffer.alloc(700, 0xff), Buffer.from(':x')]).toString('base64')}`],
      ['Basic with an API key over 256 bytes', `Basic ${b64(`${'k'.repeat(257)}:x`)}`],
      ['Basic with an API key of 300 four-byte characters', `Basic ${b64(`${'\u{1F511}'.repeat(300)}:x`)}`],
    ])('rejects %s', async (_, authorization) => {
      // act
      const response = await call({ authorization });

      // assess
      expected.malformed(response);
    });
  });

  describe('invalid credentials', () => {
    it('rejects a known API key with the wrong secret', async () => {
      // act
      const response = await call({ authorization: basicAuthorization(tenant.apiKey.apiKey, 'not-the-secret') });

      // assess
      expected.invalid(response);
    });

    it('rejects an unknown API key', async () => {
      // act
      const response = await call({ authorization: basicAuthorization('5b0a8a5c-0000-4000-8000-000000000000', 'whatever') });

      // assess
      expected.invalid(response);
    });

    it('rejects a revoked API key', async () => {
      // prepare
      const key = await createTestApiKey(services, tenant.accountId);
      await services.accounts.deleteCredential(key.apiKey);

      // act
      const response = await call({ authorization: key.authorization });

      // assess
      expected.invalid(response);
    });

    it.each([
      ['an unknown master key', { 'x-api-mkey': 'mk_unknown' }],
      ['an empty master key', { 'x-api-mkey': '' }],
      ['an unknown application token', { 'x-api-akey': 'at_unknown' }],
    ])('rejects %s', async (_, headers) => {
      // act
      const response = await call(headers);

      // assess
      expected.invalid(response);
    });

    it('rejects an application token sent as a master key', async () => {
      // act
      const response = await call({ 'x-api-mkey': tenant.applicationToken });

      // assess
      expected.invalid(response);
    });

    it('rejects a master key sent as an application token', async () => {
      // act
      const response = await call({ 'x-api-akey': tenant.masterKey });

      // assess
      expected.invalid(response);
    });

    it('rejects an API secret sent as a master key', async () => {
      // act
      const response = await call({ 'x-api-mkey': tenant.apiKey.apiSecret });

      // assess
      expected.invalid(response);
    });
  });

  describe('valid credentials', () => {
    it('authenticates a master key (X-API-MKEY) as its account', async () => {
      // act
      const response = await call(tenant.headers.master);

      // assess
      expect(expected.success(response)).toEqual({
        accountId: tenant.accountId,
        credentialKind: 'master',
        bucketUuid: null,
        permissions: [50, 51, 52],
      });
    });

    it('authenticates an API key and secret (Basic) with the key’s permissions', async () => {
      // prepare
      const key = await createTestApiKey(services, tenant.accountId, [52]);

      // act
      const response = await call({ authorization: key.authorization });

      // assess
      expect(expected.success(response)).toEqual({
        accountId: tenant.accountId,
        credentialKind: 'api',
        bucketUuid: null,
        permissions: [52],
      });
    });

    it('splits Basic credentials on the first colon only (a secret may contain colons)', async () => {
      // prepare
      const key = await createTestApiKey(services, tenant.accountId, [50, 51, 52], {
        apiKey: `key-${surface}-${tenant.accountId}`,
        apiSecret: 'se:cr:et:',
      });

      // act
      const response = await call({ authorization: key.authorization });

      // assess
      expect(expected.success(response)).toMatchObject({ accountId: tenant.accountId, credentialKind: 'api' });
    });

    it('accepts the scheme name in any case', async () => {
      // act
      const response = await call({ authorization: tenant.apiKey.authorization.replace('Basic', 'basic') });

      // assess
      expect(expected.success(response)).toMatchObject({ accountId: tenant.accountId });
    });

    it('authenticates an application token (X-API-AKEY) bound to its bucket', async () => {
      // act
      const response = await call(tenant.headers.application);

      // assess
      expect(expected.success(response)).toMatchObject({
        accountId: tenant.accountId,
        credentialKind: 'app',
        bucketUuid: tenant.bucket.bucketUuid,
      });
    });

    it('resolves each account’s credentials to that account', async () => {
      // prepare
      const other = await createTestTenant(services);

      // act
      const responses = await Promise.all([call(other.headers.master), call(other.headers.basic), call(other.headers.application)]);

      // assess
      expect(responses.map((response) => (expected.success(response) as { accountId: string }).accountId)).toEqual([
        other.accountId,
        other.accountId,
        other.accountId,
      ]);
    });

    it('prefers the master key when several credentials are sent', async () => {
      // prepare
      const other = await createTestTenant(services);

      // act
      const response = await call({ ...tenant.headers.master, ...other.headers.basic });

      // assess
      expect(expected.success(response)).toMatchObject({ accountId: tenant.accountId, credentialKind: 'master' });
    });
  });
});

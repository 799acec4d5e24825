import { describe, expect } from 'vitest';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';
import { addFiles, download, fileToken } from './support';

const it = tenantTest();

let tenant: TestTenant;

it.beforeAll(({ tenant: t }) => {
  tenant = t;
});

describe('one-time download tokens under concurrency', () => {
  it('of 50 tokens of one file used at once, exactly one gets the bytes and 49 get INVALID_TOKEN', async () => {
    // prepare
    const content = 'exactly one reader wins';
    await addFiles(tenant.headers.master, tenant.bucket.name, 'race', [{ name: 'prize.txt', content }]);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => fileToken(tenant.headers.master, tenant.bucket.name, 'race/prize.txt')));
    expect(new Set(tokens).size).toBe(50);

    // act
    const results = await Promise.all(tokens.map((token) => download(token)));

    // assess
    const winners = results.filter((result) => result.statusCode === 200);
    const losers = results.filter((result) => result.statusCode !== 200);
    expect(winners).toHaveLength(1);
    expect(Buffer.from(winners[0]!.body!, 'base64').toString('utf8')).toBe(content);
    expect(losers).toHaveLength(49);
    for (const loser of losers) {
      expect({ status: loser.statusCode, body: JSON.parse(loser.body!) }).toEqual({ status: 400, body: { status: 'error', message: 'INVALID_TOKEN' } });
    }
  });
});

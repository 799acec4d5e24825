import { describe, expect } from 'vitest';
import { createBucket, type NewBucket } from '../../lib/core/access/buckets';
import { AppError } from '../../lib/errors';
import type { Services } from '../../lib/app/services';
import { tenantTest } from '../support/fixtures';
import { buildTestServices, createTestAccount } from '../support/services';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

const newBucket = (accountId: string, name: string, extra: Partial<NewBucket> = {}): NewBucket => ({
  accountId,
  name,
  public: true,
  maxSizeBytes: 1024,
  ...extra,
});

describe('createBucket', () => {
  it('creates a bucket that can be read back by uuid and by name', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);

    // act
    const bucket = await createBucket(services.buckets, newBucket(accountId, 'photos', { description: 'My photos', public: false }));

    // assess
    expect(bucket).toMatchObject({ accountId, name: 'photos', description: 'My photos', public: false, maxSizeBytes: 1024, sizeBytes: 0 });
    expect(bucket.bucketUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await services.buckets.get(bucket.bucketUuid)).toEqual(bucket);
    expect(await services.buckets.getByName(accountId, 'photos')).toEqual(bucket);
  });

  it('refuses a second bucket of the same name in the same account (bucketExists)', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);
    const first = await createBucket(services.buckets, newBucket(accountId, 'docs'));

    // act
    const second = createBucket(services.buckets, newBucket(accountId, 'docs'));

    // assess
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ errorName: 'bucketExists' });
    expect(await services.buckets.list(accountId)).toEqual([first]);
  });

  it('lets two accounts each have a bucket of the same name', async () => {
    // prepare
    const [alice, bob] = await Promise.all([createTestAccount(services), createTestAccount(services)]);

    // act
    const [ofAlice, ofBob] = await Promise.all([
      createBucket(services.buckets, newBucket(alice.accountId, 'shared-name')),
      createBucket(services.buckets, newBucket(bob.accountId, 'shared-name')),
    ]);

    // assess
    expect(ofAlice.bucketUuid).not.toBe(ofBob.bucketUuid);
    expect((await services.buckets.getByName(alice.accountId, 'shared-name'))?.bucketUuid).toBe(ofAlice.bucketUuid);
    expect((await services.buckets.getByName(bob.accountId, 'shared-name'))?.bucketUuid).toBe(ofBob.bucketUuid);
  });

  it('lets exactly one of two concurrent creations of the same name win', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);

    // act
    const outcomes = await Promise.allSettled([
      createBucket(services.buckets, newBucket(accountId, 'race')),
      createBucket(services.buckets, newBucket(accountId, 'race')),
    ]);

    // assess
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await services.buckets.list(accountId)).toHaveLength(1);
  });

  it('treats names as case-sensitive', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);
    await createBucket(services.buckets, newBucket(accountId, 'Case'));

    // act
    const lower = await createBucket(services.buckets, newBucket(accountId, 'case'));

    // assess
    expect(lower.name).toBe('case');
    expect(await services.buckets.list(accountId)).toHaveLength(2);
  });
});

describe('bucket lookups', () => {
  it('answers undefined for an unknown uuid or name', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);

    // act
    const [byUuid, byName] = await Promise.all([
      services.buckets.get('00000000-0000-4000-8000-000000000000'),
      services.buckets.getByName(accountId, 'nope'),
    ]);

    // assess
    expect(byUuid).toBeUndefined();
    expect(byName).toBeUndefined();
  });

  it('does not find another account’s bucket by name', async () => {
    // prepare
    const [owner, stranger] = await Promise.all([createTestAccount(services), createTestAccount(services)]);
    await createBucket(services.buckets, newBucket(owner.accountId, 'private'));

    // act
    const found = await services.buckets.getByName(stranger.accountId, 'private');

    // assess
    expect(found).toBeUndefined();
  });

  it('lists an account’s buckets, and only its own', async () => {
    // prepare
    const [owner, stranger] = await Promise.all([createTestAccount(services), createTestAccount(services)]);
    const first = await createBucket(services.buckets, newBucket(owner.accountId, 'b-first'));
    const second = await createBucket(services.buckets, newBucket(owner.accountId, 'a-second'));
    await createBucket(services.buckets, newBucket(stranger.accountId, 'not-mine'));

    // act
    const [listed, empty] = await Promise.all([
      services.buckets.list(owner.accountId),
      services.buckets.list('00000000-0000-4000-8000-000000000000'),
    ]);

    // assess
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([first, second]));
    expect(empty).toEqual([]);
  });
});

describe('finding a bucket by name again (the store remembers the names it resolved)', () => {
  /** The bucket store of fresh services whose GetItem requests are counted. */
  const countingStore = () => {
    const fresh = buildTestServices();
    const reads = { count: 0 };
    fresh.clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') reads.count++;
        return next(args);
      },
      { step: 'initialize', name: 'countGetItems' },
    );
    return { buckets: fresh.buckets, reads };
  };

  it('reads once, not twice, for a name it has resolved before', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);
    const bucket = await createBucket(services.buckets, newBucket(accountId, 'again'));
    const { buckets, reads } = countingStore();
    expect(await buckets.getByName(accountId, 'again')).toEqual(bucket);
    expect(reads.count).toBe(2);

    // act
    const found = await buckets.getByName(accountId, 'again');

    // assess
    expect(found).toEqual(bucket);
    expect(reads.count).toBe(3);
  });

  it('finds the new bucket once the remembered one is removed and its name taken again', async () => {
    // prepare
    const { accountId } = await createTestAccount(services);
    const old = await createBucket(services.buckets, newBucket(accountId, 'reused'));
    const { buckets } = countingStore();
    expect((await buckets.getByName(accountId, 'reused'))?.bucketUuid).toBe(old.bucketUuid);
    expect(await services.buckets.remove(old)).toBe(true);
    expect(await buckets.getByName(accountId, 'reused')).toBeUndefined();
    const renewed = await createBucket(services.buckets, newBucket(accountId, 'reused'));

    // act
    const found = await buckets.getByName(accountId, 'reused');

    // assess
    expect(found?.bucketUuid).toBe(renewed.bucketUuid);
  });

  it('finds a name taken again even when the store remembered it and never saw it go', async () => {
    // prepare: the store resolves the name, then another container removes the bucket and makes a new one of that name
    const { accountId } = await createTestAccount(services);
    const old = await createBucket(services.buckets, newBucket(accountId, 'swapped'));
    const { buckets } = countingStore();
    await buckets.getByName(accountId, 'swapped');
    await services.buckets.remove(old);
    const renewed = await createBucket(services.buckets, newBucket(accountId, 'swapped'));

    // act
    const found = await buckets.getByName(accountId, 'swapped');

    // assess
    expect(found?.bucketUuid).toBe(renewed.bucketUuid);
  });
});

/**
 * The charge of usage and reservations (issue 21, lib/store/transact-items.ts `charge`): DynamoDB conditions cannot
 * add, so a write that grows usage plus reservations bounds each on its own, the two bounds summing to what the limit
 * leaves. Checked here over the condition it builds, evaluated as DynamoDB would on the item's figures.
 */
import { describe, expect, it } from 'vitest';
import { charge } from '../../lib/store/transact-items';

type Update = { ConditionExpression: string; ExpressionAttributeValues: Record<string, number>; UpdateExpression: string };

/** Whether the condition of `item` holds for an item whose used and reserved bytes are those given (limit pinned as read). */
function holds(item: Update, used: number, reserved: number): boolean {
  const values = item.ExpressionAttributeValues;
  if (item.ConditionExpression.includes(':maxUsed') && used > values[':maxUsed']!) return false;
  if (item.ConditionExpression.includes(':maxReserved') && reserved > values[':maxReserved']!) return false;
  return true;
}

const build = (seen: { used: number; reserved: number }, delta: { used: number; reserved: number }, limit = 1000) =>
  charge('t', { pk: 'ACCOUNT#a', sk: 'PROFILE' }, { used: 'usedBytes', limit: 'quotaBytes' }, limit, seen, delta).Update as unknown as Update;

describe('a charge within a limit counting reservations', () => {
  it('never lets used + reserved pass the limit, whatever concurrent writes changed since the figures were read', () => {
    // act: a reservation of 300 decided on 200 used + 400 reserved (limit 1000): every state it accepts stays within
    const item = build({ used: 200, reserved: 400 }, { used: 0, reserved: 300 });
    const accepted: [number, number][] = [];
    for (let used = 0; used <= 1000; used += 10) for (let reserved = 0; reserved <= 1000; reserved += 10) if (holds(item, used, reserved)) accepted.push([used, reserved]);

    // assess
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.every(([used, reserved]) => used + reserved + 300 <= 1000)).toBe(true);
    // The figures it was decided on pass, and so does some growth of either (the headroom is shared).
    expect(holds(item, 200, 400)).toBe(true);
    expect(holds(item, 250, 400)).toBe(true);
    expect(holds(item, 200, 450)).toBe(true);
    expect(item.UpdateExpression).toBe('ADD #reserved :reservedDelta');
  });

  it('puts no bound on a write that does not grow the sum (a settled reservation, a reservation given back)', () => {
    // act
    const settle = build({ used: 990, reserved: 500 }, { used: 500, reserved: -500 });
    const release = build({ used: 990, reserved: 500 }, { used: 0, reserved: -500 });

    // assess
    expect(settle.ConditionExpression).not.toContain(':max');
    expect(release.ConditionExpression).not.toContain(':max');
    expect(settle.UpdateExpression).toBe('ADD #used :delta, #reserved :reservedDelta');
  });

  it('refuses any state when the figures read leave no room (admission refuses first; a stale decision fails here)', () => {
    // act
    const item = build({ used: 800, reserved: 150 }, { used: 100, reserved: 0 });

    // assess
    expect(holds(item, 800, 150)).toBe(false);
    expect(holds(item, 0, 0)).toBe(true);
  });
});

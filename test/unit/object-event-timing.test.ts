/**
 * How long a failing object event takes to reach the dead-letter queue (issue 18 item 7), from the
 * settings AWS gets: infra/object-events.json (the queue) and objectCreated's function.yml (its timeout).
 * scripts/check-template.ts checks the same in the packaged template.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type ScalarTag } from 'yaml';
import settings from '../../infra/object-events.json';

/** CloudFormation's short forms (`!Ref`, `!GetAtt`, ...), read as plain values: this test reads other settings. */
const cloudFormationTags: ScalarTag[] = ['Ref', 'GetAtt', 'Sub', 'Join'].map((name) => ({ tag: `!${name}`, resolve: (value: string) => value }));
const objectCreated = parse(readFileSync(path.resolve(__dirname, '../../functions/events/object-created/function.yml'), 'utf8'), { customTags: cloudFormationTags }).objectCreated;

describe('the object events queue and objectCreated', () => {
  it('hide a received message for at least 6 × the function timeout (AWS guidance for Lambda event sources)', () => {
    // assess
    expect(settings.VisibilityTimeout).toBeGreaterThanOrEqual(6 * objectCreated.timeout);
  });

  it('receive a message at least 5 times before the DLQ (AWS guidance: throttled invocations count as receives)', () => {
    // assess
    expect(settings.MaxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it('move a message that fails every time to the DLQ within 30 minutes', () => {
    // assess: each receive hides it for the visibility timeout; after the last one it moves
    expect(settings.MaxReceiveCount * settings.VisibilityTimeout).toBeLessThanOrEqual(30 * 60);
  });
});

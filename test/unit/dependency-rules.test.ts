/**
 * The house's dependency rules (.dependency-cruiser.cjs, docs/architecture.md): surfaces → core ← adapters,
 * lib/app on top, no production import of dev-only code, no circles. Fails naming every violating arrow.
 */
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs');

function arrow(violation: IViolation): string {
  const via = violation.cycle?.length ? ` (circle: ${violation.cycle.map((step) => step.name).join(' → ')})` : '';
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${via}`;
}

describe('dependency rules', () => {
  it('holds for lib, functions and scripts: no arrow against the house plan, no circle', async () => {
    // act
    const result = await cruise(['lib', 'functions', 'scripts'], { ruleSet: rules, validate: true, ...rules.options });

    // assess
    const output = result.output as ICruiseResult;
    expect(output.summary.totalCruised).toBeGreaterThan(150);
    expect(output.summary.violations.map(arrow)).toEqual([]);
  }, 60_000);
});

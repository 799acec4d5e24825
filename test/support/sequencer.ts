/**
 * The order vitest starts test files in (vitest.config.mts `sequence.sequencer`). Its own sequencer starts the files
 * whose durations it has cached longest first, but a fresh clone (CI) has no cache, and then it starts the largest
 * files first: a 46 s file could start among the last and keep its whole group (unit + integration, 3 workers)
 * waiting for it alone. Here the files known to take longest start first, in the order listed; the rest keep vitest's
 * order. Nothing but speed depends on it: every file is independent of the others' order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files of the unit and integration groups, longest first: seconds each took in a CI run on a 2-core machine
 * (Dec 7 2026, .ci/run on a fresh clone). Update it when a file's time changes much; a file not listed just starts
 * in vitest's order.
 */
export const LONGEST_FILES: readonly string[] = [
  'test/integration/apillon/trustless-directories.test.ts', // 94 s
  'test/integration/directories/directory-cids.test.ts', // 55 s
  'test/integration/directories/recompute.test.ts', // 47 s
  'test/integration/lifecycle/interleavings.test.ts', // 46 s
  'test/integration/quantum/atomic-add.test.ts', // 44 s
  'test/integration/events/webhook-delivery.test.ts', // 42 s
  'test/integration/apillon/session-wrap.test.ts', // 32 s
  'test/integration/quantum/large-upload.test.ts', // 26 s
  'test/unit/admin-cli.test.ts', // 20 s
  'test/integration/apillon/multipart.test.ts', // 20 s
  'test/integration/lifecycle/interleavings-sweeper.test.ts', // 20 s
];

/** Listed files first (in {@link LONGEST_FILES}' order) within each `sequence.groupOrder`; the groups' order is vitest's. */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index < 0 ? LONGEST_FILES.length : index;
    };
    // vitest's sort keeps each group's files together; each group is reordered on its own, stably.
    const groups = new Map<number, TestSpecification[]>();
    for (const spec of sorted) {
      const order = spec.project.config.sequence.groupOrder ?? 0;
      groups.set(order, [...(groups.get(order) ?? []), spec]);
    }
    return [...groups.values()].flatMap((group) => group.map((spec, index) => ({ spec, index, rank: rank(spec) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ spec }) => spec));
  }
}

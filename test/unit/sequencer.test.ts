/** The test order's list of long files (test/support/sequencer.ts) names files that exist, each once. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LONGEST_FILES } from '../support/sequencer';

describe('LONGEST_FILES', () => {
  it('lists test files of this repository, each once', () => {
    // assess
    const root = path.resolve(__dirname, '../..');
    expect(LONGEST_FILES.filter((file) => !existsSync(path.join(root, file)) || !file.endsWith('.test.ts'))).toEqual([]);
    expect(new Set(LONGEST_FILES).size).toBe(LONGEST_FILES.length);
  });
});

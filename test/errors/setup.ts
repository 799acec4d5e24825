/**
 * Global setup of the `errors` project: tells test/errors/declared-errors.test.ts where the run's record of
 * rendered errors is (ERROR_RECORD_FILE, set by vitest.config.mts unless the caller set it) and whether the run
 * was whole — the unit, integration and e2e projects, no file filter — which the reachability half of the check
 * needs (a partial run reaches fewer errors). `ERROR_RECORD_FILE=<file> npx vitest run --project errors` re-checks a
 * record kept from a whole run. The file of a run that made it is removed at the end.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

export interface ErrorRecordInfo {
  readonly file: string;
  /** Every error the run could render was exercised: the check may require each declared one to appear. */
  readonly complete: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    errorRecord: ErrorRecordInfo;
  }
}

/** `vitest run a b` filters files by `a` and `b`: arguments that are neither options nor their values. */
function fileFilters(argv: readonly string[]): string[] {
  const args = argv.slice(2).filter((arg) => arg !== 'run');
  const filters: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('-') && !/^--(no-)?(run|bail|silent|passWithNoTests|update|changed)$/.test(arg)) i += 1;
      continue;
    }
    filters.push(arg);
  }
  return filters;
}

export default function setup(project: TestProject): () => void {
  const file = process.env.ERROR_RECORD_FILE ?? '';
  const made = file.includes(`storage-errors-${process.pid}.`);
  const names = new Set(project.vitest.projects.map((p) => p.name));
  const wholeRun = ['unit', 'integration', 'e2e'].every((name) => names.has(name)) && fileFilters(process.argv).length === 0;
  // A kept record, checked alone: it came from a whole run (or the check says what it lacks).
  const keptRecord = !made && names.size === 1;
  project.provide('errorRecord', { file, complete: wholeRun || keptRecord });
  return () => {
    if (made) rmSync(file, { force: true });
  };
}

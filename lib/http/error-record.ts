/**
 * A test instrument: with ERROR_RECORD_FILE set (the vitest run sets it, and the local stack hands it to its
 * functions: lib/local/offline-plugin.ts), every error the shared stack renders appends one JSON line
 * `{site, method, path, error}` to that file, where `site` is the function folder whose handler.ts defined the
 * route (`apillon/bucket-get`) and `error` the catalogue name (lib/errors.ts). test/errors/declared-errors.test.ts
 * reads the file after every other test ran and checks each route's declared errors against it, both ways.
 * Without the variable (every deployed function) nothing is computed or written.
 */
import { appendFileSync } from 'node:fs';
import type { ErrorName } from '../errors';

/** One rendered error. */
export interface RenderedErrorRecord {
  /** `group/name` of functions/<group>/<name>/handler.ts that defined the route; absent for routes defined elsewhere (tests' own). */
  readonly site?: string;
  readonly method: string;
  readonly path: string;
  readonly error: ErrorName;
}

const HANDLER_FILE = /functions[/\\]([\w-]+)[/\\]([\w-]+)[/\\]handler\.[cm]?[jt]s/;

/** The file to append to, or undefined when recording is off. */
export function errorRecordFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ERROR_RECORD_FILE || undefined;
}

/**
 * Where the caller's route is defined: the first stack frame in a functions/<group>/<name>/handler file
 * (the source under vitest and tsx; the local stack's bundles keep that layout, lib/local/function-build.ts).
 * Only called when recording is on.
 */
export function definitionSite(): string | undefined {
  const match = HANDLER_FILE.exec(new Error().stack ?? '');
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** Appends `record` as one line (appends of one short line from several processes do not interleave). */
export function recordRenderedError(file: string, record: RenderedErrorRecord): void {
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

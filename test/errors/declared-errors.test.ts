/**
 * Each HTTP function's declared errors (its handler's `route({ errors })` plus the shared stack's own,
 * scripts/openapi/declarations.ts) against the errors this test run rendered (ERROR_RECORD_FILE,
 * lib/http/error-record.ts: every unit, integration and e2e test that made a route answer an error):
 * - every error a function rendered is declared (docs/openapi.json lists it for its operations);
 * - after a whole run, every error a handler declares was rendered by that function at least once, and every
 *   error the shared stack adds was rendered by at least one function (the mechanism is one, whatever the route);
 * - no handler repeats an error the stack adds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ErrorName } from '../../lib/errors';
import type { RenderedErrorRecord } from '../../lib/http/error-record';
import { functionDeclarations, type FunctionDeclaration } from '../../scripts/openapi/declarations';

const { file, complete } = inject('errorRecord');

function readRecord(): RenderedErrorRecord[] {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RenderedErrorRecord);
}

describe('declared errors', () => {
  let all: FunctionDeclaration[];

  beforeAll(async () => {
    // Imports every handler module (a few seconds on a busy machine).
    all = await functionDeclarations();
  });

  it('every error a route rendered is one its function declares', async () => {
    // prepare
    const declarations = new Map(all.map((d) => [d.site, new Set<ErrorName>([...d.handlerErrors, ...d.stackErrors])]));

    // act
    const undeclared = new Set<string>();
    for (const record of readRecord()) {
      if (!record.site) continue;
      const declared = declarations.get(record.site);
      if (!declared) continue; // a route a test defined itself (test/integration/http-stack.test.ts)
      if (!declared.has(record.error)) undeclared.add(`${record.site}: ${record.error} (e.g. ${record.method} ${record.path})`);
    }

    // assess
    expect([...undeclared].sort(), 'add them to the route’s `errors` (lib/http/route.ts)').toEqual([]);
  });

  it('no handler declares an error the shared stack adds', async () => {
    // act
    const repeated = all.flatMap((d) => d.handlerErrors.filter((name) => d.stackErrors.includes(name)).map((name) => `${d.site}: ${name}`));

    // assess
    expect(repeated).toEqual([]);
  });

  it.runIf(complete)('every declared error was rendered in this run (a whole run: unit, integration and e2e)', async () => {
    // prepare
    const record = readRecord();
    const reached = new Map<string, Set<ErrorName>>();
    const reachedAnywhere = new Set<ErrorName>(record.map((r) => r.error));
    for (const r of record) if (r.site) (reached.get(r.site) ?? reached.set(r.site, new Set()).get(r.site)!).add(r.error);
    const declarations = all;

    // act
    const unreached = declarations.flatMap((d) => d.handlerErrors.filter((name) => !reached.get(d.site)?.has(name)).map((name) => `${d.site}: ${name}`));
    const stackUnreached = [...new Set(declarations.flatMap((d) => d.stackErrors))].filter((name) => !reachedAnywhere.has(name));

    // assess
    expect(record.length, `no errors recorded in ${file}`).toBeGreaterThan(0);
    expect(unreached.sort(), 'a test must make each route answer each error it declares (or the declaration goes)').toEqual([]);
    expect(stackUnreached.sort()).toEqual([]);
  });
});

/** The README's error tables list every code the service can answer (lib/errors.ts and the 422 codes). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../lib/errors';
import { VALIDATION_CODES } from '../../lib/http/validation';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const errorsSection = readme.slice(readme.indexOf('\n## Errors'), readme.indexOf('\n## ', readme.indexOf('\n## Errors') + 1));
/** Table rows of the Errors section, as lists of cells. */
const rows = errorsSection
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));

describe('README error tables', () => {
  it.each(Object.entries(ERRORS).filter(([, definition]) => !('quantumOnly' in definition)))('list %s with its statuses, code and both messages on one row', (_, definition) => {
    // assess
    const row = rows.find((cells) => cells[1] === String(definition.code));
    expect(row, `no row for ${definition.code}`).toBeDefined();
    expect(row!.slice(0, 5)).toEqual([
      String(definition.status),
      String(definition.code),
      definition.message,
      String(definition.quantum.status),
      definition.quantum.message,
    ]);
  });

  it.each(Object.entries(ERRORS).filter(([, definition]) => 'quantumOnly' in definition))('list %s, answered by the Quantum surface only, with no Apillon status, code or message', (_, definition) => {
    // assess
    const row = rows.find((cells) => cells[3] === String(definition.quantum.status) && cells[4] === definition.quantum.message);
    expect(row, `no row for ${definition.quantum.message}`).toBeDefined();
    expect(row!.slice(0, 3)).toEqual(['—', '—', '— (Quantum only)']);
    expect(rows.some((cells) => cells[1] === String(definition.code)), 'its Apillon code is never answered').toBe(false);
  });

  it.each(Object.entries(VALIDATION_CODES))('list the validation code %s', (message, code) => {
    // assess
    const listed = rows.some((cells) => cells.some((cell, index) => cell === String(code) && cells[index + 1] === message));
    expect(listed).toBe(true);
  });
});

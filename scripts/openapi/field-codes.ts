/**
 * The 422 field codes one route can answer (docs/openapi.json's DATA_VALIDATION_FAILED examples), derived from what
 * the stack validates for it (lib/http/route.ts):
 * - its zod schemas (path, query, body): each code a schema names as its error message (lib/http/validation.ts
 *   turns such a message into that code), found by walking the schema, with the field it belongs to;
 * - an Apillon route that refuses unknown query parameters: PARAMETER_NOT_SUPPORTED; an Apillon route with query
 *   parameters: PARAMETER_REPEATED (lib/http/parameters.ts).
 * A schema problem with no code of its own is the generic 42200000 `<FIELD>_NOT_VALID`; it is not listed.
 */
import type { $ZodType } from 'zod/v4/core';
import { fieldPath, type FieldError } from '../../lib/errors';
import type { RouteSpec, Schemas } from '../../lib/http/route';
import { VALIDATION_CODES } from '../../lib/http/validation';

/** A zod definition, as far as the walk reads it (zod/v4/core `$ZodTypeDef` and its kinds). */
interface Definition {
  readonly error?: unknown;
  readonly checks?: readonly { readonly _zod?: { readonly def?: { readonly error?: unknown } } }[];
  readonly shape?: Record<string, unknown>;
  readonly options?: readonly unknown[];
  readonly items?: readonly unknown[];
  readonly [child: string]: unknown;
}

/** The children a schema kind wraps, besides an object's shape, a union's options and a tuple's items. */
const WRAPPED = ['innerType', 'in', 'out', 'element', 'valueType', 'keyType', 'catchall', 'left', 'right', 'rest'] as const;

/** Every field code of `spec`'s validation, each once (the first field that gives it), by code. */
export function fieldErrorsOf(spec: Pick<RouteSpec<Schemas, boolean>, 'schemas' | 'surface' | 'unknownQuery'>): FieldError[] {
  const found = new Map<string, FieldError>();
  const add = (message: string, property: string) => {
    const code = VALIDATION_CODES[message];
    if (code !== undefined && !found.has(message)) found.set(message, { code, property, message });
  };
  for (const part of ['path', 'query', 'body'] as const) walk(spec.schemas?.[part], [], add, new Set());
  if (spec.surface === 'apillon') {
    const refuses = (spec.unknownQuery ?? 'refuse') === 'refuse';
    const queryNames = Object.keys(definitionOf(spec.schemas?.query)?.shape ?? {});
    if (refuses) add('PARAMETER_NOT_SUPPORTED', 'unknown');
    if (refuses || queryNames.length > 0) add('PARAMETER_REPEATED', queryNames[0] ?? 'unknown');
  }
  return [...found.values()].sort((a, b) => a.code - b.code);
}

function definitionOf(schema: unknown): Definition | undefined {
  return (schema as { _zod?: { def?: Definition } } | undefined)?._zod?.def;
}

/** A string message of a zod error setting (zod keeps `'CODE'` as a function answering it). */
function messageOf(error: unknown): string | undefined {
  if (typeof error !== 'function') return undefined;
  try {
    const answer: unknown = (error as (issue: object) => unknown)({});
    if (typeof answer === 'string') return answer;
    return typeof (answer as { message?: unknown } | undefined)?.message === 'string' ? (answer as { message: string }).message : undefined;
  } catch {
    return undefined;
  }
}

function walk(schema: $ZodType | unknown, path: readonly PropertyKey[], add: (message: string, property: string) => void, seen: Set<unknown>): void {
  const def = definitionOf(schema);
  if (!def || seen.has(schema)) return;
  seen.add(schema);
  const property = fieldPath(path) || 'body';
  const own = messageOf(def.error);
  if (own) add(own, property);
  for (const check of def.checks ?? []) {
    const message = messageOf(check._zod?.def?.error);
    if (message) add(message, property);
  }
  for (const [key, child] of Object.entries(def.shape ?? {})) walk(child, [...path, key], add, seen);
  for (const option of def.options ?? []) walk(option, path, add, seen);
  for (const [index, item] of (def.items ?? []).entries()) walk(item, [...path, index], add, seen);
  for (const key of WRAPPED) walk(def[key], key === 'element' ? [...path, 0] : path, add, seen);
}

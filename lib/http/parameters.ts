import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { validationError } from '../errors';
import type { Surface } from './render';
import { queryParameterList } from './text';
import { VALIDATION_CODES } from './validation';

/**
 * Repeated parameters: one rule per surface, applied to query strings here and
 * to form fields by lib/http/multipart.ts.
 *
 * - Quantum: the last value wins, as in the Django service the API comes from
 *   (`QueryDict.__getitem__` returns the last value of a key): an HTML form with a
 *   hidden `force=false` and a checked `force=true` box means `true`.
 * - Apillon: a repeated query parameter is a 422 naming it (the NestJS service
 *   reads it as an array, which no scalar field accepts). API Gateway would join
 *   the values with commas, which `orderBy`/`desc` would silently read as a list.
 */

/** Name → value, the last value of a repeated name winning (Django's `QueryDict[name]`). */
export function lastWins(pairs: Iterable<readonly [string, string]>): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) values[name] = value;
  return { ...values };
}

/**
 * The query parameters a route of `surface` reads, decoded strictly (400 INVALID_UTF8), repeats handled as above.
 * `only`: the names the route reads, when it ignores the others (the gateways, as IPFS gateways ignore parameters
 * they do not know, `utm_source` twice included): a repeat of another name is not refused.
 */
export function queryParameters(event: APIGatewayProxyEventV2, surface: Surface, only?: ReadonlySet<string>): Record<string, string> {
  const pairs = queryParameterList(event);
  if (surface === 'apillon') {
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const [name] of pairs) if (!only || only.has(name)) (seen.has(name) ? repeated : seen).add(name);
    if (repeated.size > 0) {
      throw validationError(
        [...repeated].map((property) => ({ code: VALIDATION_CODES.PARAMETER_REPEATED!, property, message: 'PARAMETER_REPEATED' })),
      );
    }
  }
  return lastWins(pairs);
}

import { fail } from '../../../lib/errors';
import { route } from '../../../lib/app/route';
import { surfaceOfPath, unservedRequestError } from '../../../lib/quantum/routes';

/**
 * Every request no endpoint takes, answered before any key is looked at, in the shape of
 * the surface its path belongs to (lib/quantum/routes.ts):
 * - a Quantum path with a method its endpoint does not take (the `ANY` routes; API Gateway
 *   routes the right method to the endpoint's own function): 405 REQ_METHOD_INVALID, and for
 *   the right method on a path that lacks its bucket, location or token, that path's 4xx
 *   (INVALID_PATH, INVALID_TOKEN);
 * - any other path (API Gateway's `$default` route): 404 ROUTE_NOT_FOUND, in the Quantum shape
 *   under `/API` and the seed's bare paths, in Apillon's under `/storage`, `/ipfs` and elsewhere.
 */
export const handler = route({ surface: (event) => surfaceOfPath(event.rawPath), errors: ['methodNotAllowed', 'routeNotFound', 'invalidDownloadToken'], auth: false, bodyFormat: 'raw' }, async ({ event }) =>
  fail(unservedRequestError(event.routeKey, event.requestContext.http.method)),
);

import { fail } from '../../../lib/errors';
import { route } from '../../../lib/http/route';
import { unservedRequestError } from '../../../lib/quantum/routes';

/**
 * Every Quantum request no endpoint takes (the `ANY` routes; API Gateway routes the
 * right method to the endpoint's own function), answered before any key is looked
 * at: 405 REQ_METHOD_INVALID for a wrong method, and for the right method on a path
 * that lacks its bucket, location or token, that path's 4xx (INVALID_PATH,
 * INVALID_TOKEN) from the route table in lib/quantum/routes.ts.
 */
export const handler = route({ surface: 'quantum', auth: false, bodyFormat: 'raw' }, async ({ event }) =>
  fail(unservedRequestError(event.routeKey, event.requestContext.http.method)),
);

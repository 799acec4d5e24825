import { fail } from '../../../lib/errors';
import { route } from '../../../lib/http/route';

/**
 * Every Quantum path with a method it does not take: 405 REQ_METHOD_INVALID,
 * before any key is looked at (API Gateway routes the right method to the
 * endpoint's own function; this one holds the `ANY` routes).
 */
export const handler = route({ surface: 'quantum', auth: false, bodyFormat: 'raw' }, async () => fail('methodNotAllowed'));

import { removeBucketToken } from '../../../lib/quantum/buckets';
import { route } from '../../../lib/app/route';
import { tokenPath } from '../../../lib/quantum/schemas';

/** POST /token/remove/<token>: revokes one application token (master key only; 404 TOKEN_DNE). */
export const handler = route({ surface: 'quantum', errors: ['masterKeyRequired', 'tokenNotFound'], schemas: { path: tokenPath } }, async ({ path, principal, services }) => {
  await removeBucketToken(services, principal, path.token);
  return { message: 'Token removed' };
});

import { removeAllBucketTokens } from '../../../lib/quantum/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /token/remove/b/<bucket>: revokes every application token of a bucket (master key only; 404 TOKEN_DNE when none). */
export const handler = routeUsing(withStores(buckets))({ surface: 'quantum', errors: ['masterKeyRequired', 'bucketNotFound', 'tokenNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => {
  const removed = await removeAllBucketTokens(services, principal, path.bucket);
  return { message: `${removed} token${removed === 1 ? '' : 's'} removed` };
});

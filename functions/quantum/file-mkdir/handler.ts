import { Permission } from '../../../lib/core/access/principal';
import { resolveBucket, RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { makeDirectory } from '../../../lib/quantum/files';
import { routeUsing } from '../../../lib/app/route';
import { buckets, uploads, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';
import { locationPath } from '../../../lib/quantum/schemas';

/** POST /file/mkdir/<bucket>/<location>: a folder and its missing parents (400 INVALID_DIR where a file has a name). */
export const handler = routeUsing(withStores(buckets, uploads), withQueues)({ surface: 'quantum', permission: Permission.WRITE, errors: [...RESOLVE_BUCKET_ERRORS, 'invalidDirectory'], schemas: { path: locationPath } }, async ({ path, principal, services }) => {
  const bucket = await resolveBucket(services, principal, path.bucket);
  await makeDirectory(services, bucket, path.location);
  return { message: 'mkdir successful' };
});

import { Permission } from '../../../lib/core/access/principal';
import { resolveBucket, RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { removeLocation } from '../../../lib/quantum/files';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, deletions, directories, blobs, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';
import { locationPath } from '../../../lib/quantum/schemas';

/** POST /file/remove/<bucket>/<location>: a file, or a folder with everything in it (404 FILE_DNE). */
export const handler = routeUsing(withStores(buckets, entries, deletions, directories, blobs), withQueues)({ surface: 'quantum', permission: Permission.WRITE, errors: [...RESOLVE_BUCKET_ERRORS, 'fileNotFound'], schemas: { path: locationPath } }, async ({ path, principal, services }) => {
  const bucket = await resolveBucket(services, principal, path.bucket);
  await removeLocation(services, bucket, path.location);
  return { message: 'File delete completed' };
});

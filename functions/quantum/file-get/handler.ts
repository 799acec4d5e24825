import { Permission } from '../../../lib/core/access/principal';
import { resolveBucket, RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { issueFileToken } from '../../../lib/quantum/files';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, downloadTokens, withStores } from '../../../lib/app/stores';
import { locationPath } from '../../../lib/quantum/schemas';

/** GET /file/get/<bucket>/<location>: a one-time download token (404 FILE_DNE, 404 NOT_A_FILE for a folder). */
export const handler = routeUsing(withStores(buckets, entries, downloadTokens))({ surface: 'quantum', permission: Permission.READ, errors: [...RESOLVE_BUCKET_ERRORS, 'fileNotFound', 'notAFile'], schemas: { path: locationPath } }, async ({ path, principal, services }) => {
  const bucket = await resolveBucket(services, principal, path.bucket);
  return { message: 'File token generated', data: { file_token: await issueFileToken(services, bucket, path.location) } };
});

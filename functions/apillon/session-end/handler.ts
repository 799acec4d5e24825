import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { endSessionBody, sessionInBucketPath } from '../../../lib/apillon/schemas';
import { sessionView } from '../../../lib/apillon/views';
import { endSession } from '../../../lib/apillon/session-end';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, deletions, directories, uploads, sessions, moves, blobs, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/** POST /storage/buckets/:bucketUuid/upload/:sessionUuid/end {wrapWithDirectory?, directoryPath?} (EXECUTE). */
export const handler = routeUsing(withStores(buckets, entries, listings, deletions, directories, uploads, sessions, moves, blobs), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'uploadSessionNotFound', 'uploadSessionEnded', 'invalidDirectory'], model: 'EndFileUploadSessionDto', schemas: { path: sessionInBucketPath, body: endSessionBody } },
  async ({ path, body, principal, services }) => {
    const session = await endSession(services, principal, path.bucketUuid, path.sessionUuid, body);
    return { data: sessionView(session) };
  },
);

import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath, sessionUploadBody } from '../../../lib/apillon/schemas';
import { sessionUploadView } from '../../../lib/apillon/views';
import { requestSessionUpload } from '../../../lib/apillon/uploads';
import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, uploads, sessions, blobs, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/**
 * POST /storage/buckets/:bucketUuid/upload {files: [...], sessionUuid?} (EXECUTE):
 * up to 200 upload requests in an upload session, answered in request order.
 */
export const handler = routeUsing(withStores(buckets, entries, uploads, sessions, blobs), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'bucketMarkedForDeletion', 'uploadSessionNotFound', 'uploadSessionEnded', 'invalidDirectory', 'notEnoughStorageSpace', 'uploadPolicyViolation'], model: 'FileUploadsRequestDto', schemas: { path: bucketPath, body: sessionUploadBody } },
  async ({ path, body, principal, services }) => {
    const { sessionUuid, uploads } = await requestSessionUpload(services, principal, path.bucketUuid, body);
    services.metrics.count(METRIC_NAMES.uploadsRequested, uploads.length);
    return { status: 201, data: sessionUploadView(sessionUuid, uploads) };
  },
);

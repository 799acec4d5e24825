import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath, singleUploadBody } from '../../../lib/apillon/schemas';
import { singleUploadView } from '../../../lib/apillon/views';
import { requestFileUpload } from '../../../lib/apillon/uploads';
import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, uploads, blobs, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/**
 * POST /storage/:bucketUuid/upload {fileName, contentType, path?, fileSize?} (EXECUTE):
 * an upload request (status 1) and its presigned PUT URL, valid 60 s.
 */
export const handler = routeUsing(withStores(buckets, entries, uploads, blobs), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'bucketMarkedForDeletion', 'notEnoughStorageSpace', 'maxBucketSizeReached', 'uploadPolicyViolation'], model: 'FileUploadRequestDto', schemas: { path: bucketPath, body: singleUploadBody } },
  async ({ path, body, principal, services }) => {
    const upload = await requestFileUpload(services, principal, path.bucketUuid, body);
    services.metrics.count(METRIC_NAMES.uploadsRequested);
    return { status: 201, data: singleUploadView(upload) };
  },
);

import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { createMultipartBody } from '../../../lib/apillon/multipart-schemas';
import { sessionInBucketPath } from '../../../lib/apillon/schemas';
import { multipartCreatedView } from '../../../lib/apillon/views';
import { createMultipartUpload } from '../../../lib/apillon/multipart';
import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, uploads, sessions, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';
import { withMultipart } from '../../../lib/app/multipart';

/** POST /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart {fileName, path?, contentType?, size} (EXECUTE) → 201. */
export const handler = routeUsing(withStores(buckets, entries, uploads, sessions), withQueues, withMultipart)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'bucketMarkedForDeletion', 'uploadSessionNotFound', 'uploadSessionEnded', 'notEnoughStorageSpace', 'uploadPolicyViolation'], model: 'MultipartUploadDto', schemas: { path: sessionInBucketPath, body: createMultipartBody } },
  async ({ path, body, principal, services }) => {
    const created = await createMultipartUpload(services, principal, path.bucketUuid, path.sessionUuid, body);
    services.metrics.count(METRIC_NAMES.uploadsRequested, 1);
    return { status: 201, data: multipartCreatedView(created) };
  },
);

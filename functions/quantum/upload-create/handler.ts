import { Permission } from '../../../lib/core/access/principal';
import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { createQuantumUpload } from '../../../lib/quantum/uploads';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, uploads, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';
import { withQueues } from '../../../lib/app/queues';
import { RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { createUploadBody, locationPath } from '../../../lib/quantum/schemas';

/**
 * POST /upload/create/<bucket>/<location> {size, content_type?, force?}: a file too large for `file/add`, to be
 * uploaded straight to S3 in parts → data {upload_id, part_size, part_count, path}.
 */
export const handler = routeUsing(withStores(buckets, entries, uploads), withQueues, withMultipart)({ surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'invalidDirectory', 'fileAlreadyExists', 'notEnoughStorageSpace', 'uploadPolicyViolation'], schemas: { path: locationPath, body: createUploadBody } }, async ({ path, body, principal, services }) => {
  const created = await createQuantumUpload(services, principal, path.bucket, path.location, { size: body.size, contentType: body.content_type, force: body.force ?? false });
  services.metrics.count(METRIC_NAMES.uploadsRequested, 1);
  return {
    message: 'Upload created',
    data: { upload_id: created.file.uuid, part_size: created.plan.partSize, part_count: created.plan.partCount, path: created.file.path },
  };
});

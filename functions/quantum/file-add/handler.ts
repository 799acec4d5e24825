import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { Permission } from '../../../lib/core/access/principal';
import { addFiles } from '../../../lib/quantum/files';
import { resolveBucket, RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { DEFAULT_MULTIPART_LIMITS, parseMultipart } from '../../../lib/http/multipart';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, uploads, sessions, blobs, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';
import { locationPath } from '../../../lib/quantum/schemas';

/**
 * POST /file/add/<bucket>/<location>: multipart form, field `files` (one or
 * more), `force=true` to overwrite (a repeated `force` counts by its last value). The bytes come through API Gateway (10 MB
 * per request at most); large files belong on the presigned route in parts, `/upload/create` (lib/quantum/uploads.ts),
 * which a refusal over the limit names.
 */
/** Where files too large for this request go (README "Quantum Storage API"). */
const LARGE_FILE_ROUTE = 'POST /API/upload/create/<bucket>/<location>';

export const handler = routeUsing(withStores(buckets, entries, uploads, sessions, blobs), withQueues)(
  { surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'multipartRequired', 'malformedMultipart', 'uploadTooLarge', 'tooManyFormFiles', 'tooManyFormFields', 'formFieldTooLarge', 'formFieldNameTooLong', 'filesNotPresent', 'fileAlreadyExists', 'invalidDirectory', 'notEnoughStorageSpace', 'uploadPolicyViolation'], bodyFormat: 'raw', schemas: { path: locationPath } },
  async ({ path, principal, services, event }) => {
    const bucket = await resolveBucket(services, principal, path.bucket);
    const form = await parseMultipart(event, DEFAULT_MULTIPART_LIMITS, { largeFileRoute: LARGE_FILE_ROUTE });
    const files = form.files.filter((file) => file.field === 'files');
    const force = form.fields.force?.trim().toLowerCase() === 'true';
    const stored = await addFiles(services, bucket, path.location, files, force);
    services.metrics.count(METRIC_NAMES.uploadsRequested, stored.length);
    return { message: `File add successful (${stored.length} file${stored.length === 1 ? '' : 's'})` };
  },
);

import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { updateBucketBody } from '../../../lib/apillon/policy-schemas';
import { bucketPath } from '../../../lib/apillon/schemas';
import { bucketView } from '../../../lib/apillon/views';
import { changeUploadPolicy } from '../../../lib/apillon/upload-policy';
import { routeUsing } from '../../../lib/app/route';
import { buckets, bucketPolicies, withStores } from '../../../lib/app/stores';

/** PATCH /storage/buckets/:bucketUuid {maxFileSize?, allowedContentTypes?} (WRITE): the bucket's upload policy; null clears a rule. */
export const handler = routeUsing(withStores(buckets, bucketPolicies))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'bucketMarkedForDeletion'], model: 'UpdateBucketDto', schemas: { path: bucketPath, body: updateBucketBody } },
  async ({ path, body, principal, services }) => ({ data: bucketView(await changeUploadPolicy(services, principal, path.bucketUuid, body)) }),
);

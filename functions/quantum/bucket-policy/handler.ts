import { quantumPolicyBody } from '../../../lib/apillon/policy-schemas';
import { changeQuantumUploadPolicy } from '../../../lib/quantum/upload-policy';
import { routeUsing } from '../../../lib/app/route';
import { buckets, bucketPolicies, withStores } from '../../../lib/app/stores';
import { bucketPath } from '../../../lib/quantum/schemas';

/**
 * POST /bucket/policy/<name> {max_file_size?, allowed_content_types?} (master key): the bucket's upload policy
 * (bytes; `type/subtype` or `type/*`), `null` clearing a rule; answers the policy now in force.
 */
export const handler = routeUsing(withStores(buckets, bucketPolicies))({ surface: 'quantum', errors: ['masterKeyRequired'], schemas: { path: bucketPath, body: quantumPolicyBody } }, async ({ path, body, principal, services }) => {
  const bucket = await changeQuantumUploadPolicy(services, principal, path.bucket, { maxFileSize: body.max_file_size, allowedContentTypes: body.allowed_content_types });
  return {
    message: `Upload policy of ${bucket.name} set`,
    data: { max_file_size: bucket.uploadPolicy?.maxFileSize ?? null, allowed_content_types: bucket.uploadPolicy?.allowedContentTypes ?? null },
  };
});

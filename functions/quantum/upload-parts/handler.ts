import { Permission } from '../../../lib/core/access/principal';
import { presignQuantumParts } from '../../../lib/quantum/uploads';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';
import { RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { uploadPartsBody, uploadPath } from '../../../lib/quantum/schemas';

/** POST /upload/parts/<bucket>/<upload_id> {part_numbers} → data {parts: [{part_number, url}]}: UploadPart URLs valid 60 s. */
export const handler = routeUsing(withStores(buckets, entries), withMultipart)({ surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: uploadPath, body: uploadPartsBody } }, async ({ path, body, principal, services }) => {
  const parts = await presignQuantumParts(services, principal, path.bucket, path.upload, body.part_numbers);
  return { message: 'Part URLs created', data: { parts: parts.map((part) => ({ part_number: part.partNumber, url: part.url })) } };
});

import { listQuantumParts } from '../../../lib/quantum/uploads';
import { route } from '../../../lib/app/route';
import { uploadPath } from '../../../lib/quantum/schemas';

/** GET /upload/list/<bucket>/<upload_id> → data {parts: [{part_number, size, etag}]}: the parts S3 holds, to resume. */
export const handler = route({ surface: 'quantum', schemas: { path: uploadPath } }, async ({ path, principal, services }) => {
  const parts = await listQuantumParts(services, principal, path.bucket, path.upload);
  return { message: 'Upload parts', data: { parts: parts.map((part) => ({ part_number: part.partNumber, size: part.size, etag: part.eTag })) } };
});

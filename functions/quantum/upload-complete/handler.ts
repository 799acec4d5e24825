import { completeQuantumUpload } from '../../../lib/quantum/uploads';
import { route } from '../../../lib/app/route';
import { completeUploadBody, uploadPath } from '../../../lib/quantum/schemas';

/** POST /upload/complete/<bucket>/<upload_id> {parts: [{part_number, etag}]} → data {path}: the file enters the lifecycle. */
export const handler = route({ surface: 'quantum', schemas: { path: uploadPath, body: completeUploadBody } }, async ({ path, body, principal, services }) => {
  const parts = body.parts.map((part) => ({ partNumber: part.part_number, eTag: part.etag }));
  const file = await completeQuantumUpload(services, principal, path.bucket, path.upload, parts);
  return { message: 'Upload complete', data: { path: file.path } };
});

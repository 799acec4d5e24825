import { abortQuantumUpload } from '../../../lib/quantum/uploads';
import { route } from '../../../lib/app/route';
import { uploadPath } from '../../../lib/quantum/schemas';

/** POST /upload/abort/<bucket>/<upload_id>: the upload is cancelled, its parts deleted (nothing was charged). */
export const handler = route({ surface: 'quantum', schemas: { path: uploadPath } }, async ({ path, principal, services }) => {
  await abortQuantumUpload(services, principal, path.bucket, path.upload);
  return { message: 'Upload aborted' };
});

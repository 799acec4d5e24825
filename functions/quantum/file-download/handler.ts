import { recordBandwidth } from '../../../lib/domain/bandwidth';
import { openDownload } from '../../../lib/domain/quantum-files';
import { route } from '../../../lib/http/route';
import { downloadResponse } from '../../../lib/quantum/download-response';
import { tokenPath } from '../../../lib/quantum/schemas';

/**
 * GET /file/download/<file_token> (no key): the file as an attachment, or a 302
 * to a presigned GET when it is too large for a Lambda response. A token works
 * once; using one kills its siblings (400 INVALID_TOKEN).
 */
export const handler = route({ surface: 'quantum', auth: false, schemas: { path: tokenPath } }, async ({ path, services }) => {
  const download = await openDownload(services, path.token);
  const response = downloadResponse(download);
  await recordBandwidth(services, download.file.accountId, download.kind === 'inline' ? download.bytes.byteLength : (download.file.size ?? 0));
  return { response };
});

import { METRIC_NAMES } from '../../../lib/domain/metrics';
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
  if (download.kind === 'inline') services.metrics.bytes(METRIC_NAMES.bytesServed, download.bytes.byteLength);
  return { response: downloadResponse(download) };
});

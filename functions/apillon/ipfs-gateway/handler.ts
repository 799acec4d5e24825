import { linkPath } from '../../../lib/apillon/cid-schemas';
import { gatewayResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { METRIC_NAMES } from '../../../lib/domain/metrics';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/domain/storage';
import { route } from '../../../lib/http/route';

/** GET /ipfs/:cid, no credentials: the bytes of a file in a public bucket. */
export const handler = route(
  { surface: 'apillon', auth: false, schemas: { path: linkPath } },
  async ({ path, services }) => {
    const content = await openPublicFile(services, path.cid, INLINE_DOWNLOAD_MAX_BYTES);
    if ('bytes' in content) services.metrics.bytes(METRIC_NAMES.bytesServed, content.bytes.byteLength);
    return { response: gatewayResponse(content, path.cid) };
  },
);

import { linkPath } from '../../../lib/apillon/schemas';
import { gatewayResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { recordBandwidth } from '../../../lib/domain/bandwidth';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/domain/storage';
import { route } from '../../../lib/http/route';

/** GET /ipfs/:cid, no credentials: the bytes of a file in a public bucket. */
export const handler = route(
  { surface: 'apillon', auth: false, schemas: { path: linkPath } },
  async ({ path, services }) => {
    const content = await openPublicFile(services, path.cid, INLINE_DOWNLOAD_MAX_BYTES);
    const response = gatewayResponse(content, path.cid);
    await recordBandwidth(services, content.file.accountId, 'bytes' in content ? content.bytes.byteLength : (content.file.size ?? 0));
    return { response };
  },
);

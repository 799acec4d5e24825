import { linkPath } from '../../../lib/apillon/schemas';
import { gatewayResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/domain/storage';
import { route } from '../../../lib/http/route';

/** GET /ipfs/:cid, no credentials: the bytes of a file in a public bucket. */
export const handler = route(
  // Query parameters are ignored, as IPFS gateways ignore those they do not know.
  { surface: 'apillon', auth: false, unknownQuery: 'ignore', schemas: { path: linkPath } },
  async ({ path, services }) => ({
    response: gatewayResponse(await openPublicFile(services, path.cid, INLINE_DOWNLOAD_MAX_BYTES), path.cid),
  }),
);

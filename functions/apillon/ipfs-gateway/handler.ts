import { linkPath } from '../../../lib/apillon/schemas';
import { gatewayResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { route } from '../../../lib/http/route';

/**
 * Lambda responses cap at 6 MB and binary bodies travel base64 (4/3 larger):
 * bigger files are a 302 to a presigned GET instead.
 */
const INLINE_LIMIT_BYTES = 4_000_000;

/** GET /ipfs/:cid, no credentials: the bytes of a file in a public bucket. */
export const handler = route(
  { surface: 'apillon', auth: false, schemas: { path: linkPath } },
  async ({ path, services }) => ({
    response: gatewayResponse(await openPublicFile(services, path.cid, INLINE_LIMIT_BYTES), path.cid),
  }),
);

import { linkPath } from '../../../lib/apillon/cid-schemas';
import { GATEWAY_SERVE_OPTIONS, gatewayTarget } from '../../../lib/apillon/views';
import { findPublicFile } from '../../../lib/domain/apillon-files';
import { route } from '../../../lib/http/route';
import { serveFile } from '../../../lib/http/serve-file';

/**
 * GET and HEAD /ipfs/:cid, no credentials: a file of a public bucket, with ranges,
 * conditional requests and HEAD (lib/http/serve-file.ts); a 302 to a presigned GET above 4 MiB.
 */
export const handler = route(
  // Query parameters are ignored, as IPFS gateways ignore those they do not know.
  { surface: 'apillon', auth: false, unknownQuery: 'ignore', schemas: { path: linkPath } },
  async ({ path, services, event }) => ({
    response: await serveFile(services, event, gatewayTarget(await findPublicFile(services, path.cid), path.cid), GATEWAY_SERVE_OPTIONS),
  }),
);

import { linksBody } from '../../../lib/apillon/cid-schemas';
import { linksView } from '../../../lib/apillon/views';
import { linkableCids, requireLinkPermission } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';

/**
 * POST /storage/link-on-ipfs-multiple {cids}: gateway links in the same order (the SDK asks before
 * uploading); null for a CID stored only where the gateway does not serve it (private buckets).
 */
export const handler = routeUsing(withStores(buckets, entries))(
  { surface: 'apillon', errors: ['missingPermission'], model: 'LinksOnIpfsDto', schemas: { body: linksBody } },
  async ({ body, principal, services, event }) => {
    requireLinkPermission(principal);
    return { data: linksView(publicBaseUrl(services.config, event), body.cids, await linkableCids(services, body.cids)) };
  },
);

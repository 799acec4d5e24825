import { linkQuery, linkTargetPath } from '../../../lib/apillon/cid-schemas';
import { linkView } from '../../../lib/apillon/views';
import { linkableCids, requireLinkPermission } from '../../../lib/apillon/files';
import { linkTarget } from '../../../lib/core/read/ipns-names';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';

/**
 * GET /storage/link-on-ipfs/:cid?type=ipfs|ipns: the gateway link of a CID or an IPNS name
 * (the SDK's generateIpfsLink); for a CID, `link: null` when it is stored only where the
 * gateway does not serve it (private buckets).
 */
export const handler = routeUsing(withStores(buckets, entries))(
  { surface: 'apillon', errors: ['missingPermission'], model: 'LinkOnIpfsQueryFilter', schemas: { path: linkTargetPath, query: linkQuery } },
  async ({ path, query, principal, services, event }) => {
    requireLinkPermission(principal);
    const target = linkTarget(path.cid, query.type);
    const [linkable] = target.type === 'ipfs' ? await linkableCids(services, [target.id]) : [true];
    return { data: linkView(publicBaseUrl(services.config, event), target.id, linkable!, target.type) };
  },
);

import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath, ipnsListQuery } from '../../../lib/apillon/schemas';
import { ipnsView, listView } from '../../../lib/apillon/views';
import { listIpns } from '../../../lib/apillon/ipns';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, ipns, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid/ipns (READ): the bucket's IPNS names (the SDK's listIpnsNames). */
export const handler = routeUsing(withStores(buckets, ipns))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS], model: 'IpnsQueryFilter', schemas: { path: bucketPath, query: ipnsListQuery } },
  async ({ path, query, principal, services, event }) => {
    const baseUrl = publicBaseUrl(services.config, event);
    return { data: listView(await listIpns(services, principal, path.bucketUuid, query), (record) => ipnsView(record, baseUrl)) };
  },
);

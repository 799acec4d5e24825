import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { createIpnsBody } from '../../../lib/apillon/cid-schemas';
import { bucketPath } from '../../../lib/apillon/schemas';
import { ipnsView } from '../../../lib/apillon/views';
import { createIpns } from '../../../lib/apillon/ipns';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, ipns, withStores } from '../../../lib/app/stores';
import { withKeySealer } from '../../../lib/app/signing-services';

/** POST /storage/buckets/:bucketUuid/ipns {name, description?, cid?} (EXECUTE): a new IPNS name (the SDK's createIpns). */
export const handler = routeUsing(withStores(buckets, ipns), withKeySealer)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS], model: 'CreateIpnsDto', schemas: { path: bucketPath, body: createIpnsBody } },
  async ({ path, body, principal, services, event }) => ({
    status: 201,
    data: ipnsView(await createIpns(services, principal, path.bucketUuid, body), publicBaseUrl(services.config, event)),
  }),
);

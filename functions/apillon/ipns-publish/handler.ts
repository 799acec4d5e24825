import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { publishIpnsBody } from '../../../lib/apillon/cid-schemas';
import { ipnsInBucketPath } from '../../../lib/apillon/schemas';
import { ipnsView } from '../../../lib/apillon/views';
import { publishIpns } from '../../../lib/apillon/ipns';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, ipns, withStores } from '../../../lib/app/stores';
import { withKeySealer } from '../../../lib/app/signing-services';

/** POST /storage/buckets/:bucketUuid/ipns/:ipnsUuid/publish {cid} (EXECUTE): points the name at a CID (a new signed record). */
export const handler = routeUsing(withStores(buckets, ipns), withKeySealer)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'ipnsRecordNotFound'], model: 'PublishIpnsDto', schemas: { path: ipnsInBucketPath, body: publishIpnsBody } },
  async ({ path, body, principal, services, event }) => ({
    data: ipnsView(await publishIpns(services, principal, path.bucketUuid, path.ipnsUuid, body.cid), publicBaseUrl(services.config, event)),
  }),
);

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { findPublicFile } from '../domain/apillon-files';
import { recordBandwidth, type BandwidthDeps } from '../domain/bandwidth';
import type { StorageDeps } from '../domain/storage';
import { bytesSent, serveFile, type ServeOptions } from '../http/serve-file';
import { GATEWAY_SERVE_OPTIONS, gatewayTarget } from './views';

/**
 * The public gateway's answer (GET or HEAD) for the file `cid` names, as
 * `/ipfs/<cid>` and `/ipns/<name>` give it: found by {@link findPublicFile}, served by
 * {@link serveFile} (ranges, HEAD, 304, a 302 above 4 MiB), and the bytes handed out
 * ({@link bytesSent}) counted once towards the owner's bandwidth of the month.
 * 404 FILE_DOES_NOT_EXISTS, 416 RANGE_NOT_SATISFIABLE, 422 CID_NOT_VALID as those say.
 */
export async function servePublicFile(
  deps: StorageDeps & BandwidthDeps,
  event: APIGatewayProxyEventV2,
  cid: string,
  options: ServeOptions = GATEWAY_SERVE_OPTIONS,
): Promise<APIGatewayProxyStructuredResultV2> {
  const target = gatewayTarget(await findPublicFile(deps, cid), cid);
  const response = await serveFile(deps, event, target, options);
  await recordBandwidth(deps, target.file.accountId, bytesSent(event, target, response));
  return response;
}

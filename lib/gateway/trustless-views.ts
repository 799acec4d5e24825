import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CID } from 'multiformats/cid';
import { encodeCarV1 } from '../cid/car';
import type { TrustlessContent, TrustlessFormat } from './trustless';

/** Responses of the trustless gateway (apart from views.ts so that only the gateway bundles the CAR writer). */

/** Media types of the trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/). */
const TRUSTLESS_MEDIA_TYPE: Record<TrustlessFormat, string> = {
  raw: 'application/vnd.ipld.raw',
  car: 'application/vnd.ipld.car; version=1',
};

/**
 * `GET /ipfs/:cid[/<path…>]?format=raw|car`: one block, or a CARv1 (root = the CID the
 * path starts from, blocks depth-first). Immutable like any content under a CID (`/ipns/`
 * passes its own `cacheControl`). The ETag names the format (the spec's `"<cid>.raw"`):
 * for a raw block the block's own CID, for a CAR the root CID and, with a path, a digest
 * of the path. `head`: the same status and headers (Content-Length included), no body.
 */
export function trustlessResponse(
  content: TrustlessContent,
  format: TrustlessFormat,
  cid: string,
  segments: readonly string[] = [],
  head = false,
  cacheControl = 'public, max-age=29030400, immutable',
): APIGatewayProxyStructuredResultV2 {
  const body = format === 'raw' ? content.blocks[0]!.bytes : carBytes(content);
  const tag =
    format === 'raw'
      ? `${segments.length === 0 ? cid : CID.decode(content.blocks[0]!.cid).toString()}.raw`
      : `${cid}.car${segments.length === 0 ? '' : `.${createHash('sha256').update(segments.join('/')).digest('hex').slice(0, 16)}`}`;
  return {
    statusCode: 200,
    headers: {
      'content-type': TRUSTLESS_MEDIA_TYPE[format],
      'content-disposition': `attachment; filename="${cid}.${format === 'raw' ? 'bin' : 'car'}"`,
      'cache-control': cacheControl,
      etag: `"${tag}"`,
      vary: 'Accept',
      'x-content-type-options': 'nosniff',
      'x-ipfs-roots': CID.decode(content.root).toString(),
      'content-length': String(body.byteLength),
    },
    ...(head ? { body: '' } : { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
  };
}

/** The CARv1 of `content`: its root, its blocks in order (lib/cid/car.ts, checked against `@ipld/car`). */
function carBytes(content: TrustlessContent): Uint8Array {
  return encodeCarV1([content.root], content.blocks);
}

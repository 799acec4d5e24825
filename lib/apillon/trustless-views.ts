import * as CarBufferWriter from '@ipld/car/buffer-writer';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CID } from 'multiformats/cid';
import type { TrustlessContent, TrustlessFormat } from '../domain/trustless';

/** Responses of the trustless gateway (apart from views.ts so that only the gateway bundles the CAR writer). */

/** Media types of the trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/). */
const TRUSTLESS_MEDIA_TYPE: Record<TrustlessFormat, string> = {
  raw: 'application/vnd.ipld.raw',
  car: 'application/vnd.ipld.car; version=1',
};

/**
 * `GET /ipfs/:cid?format=raw|car`: one block, or a CARv1 of the DAG (root = the
 * CID asked for). Immutable like any content under a CID. `head`: the same status and
 * headers (Content-Length included), no body.
 */
export function trustlessResponse(content: TrustlessContent, format: TrustlessFormat, cid: string, head = false): APIGatewayProxyStructuredResultV2 {
  const body = format === 'raw' ? content.blocks[0]!.bytes : carBytes(content);
  return {
    statusCode: 200,
    headers: {
      'content-type': TRUSTLESS_MEDIA_TYPE[format],
      'content-disposition': `attachment; filename="${cid}.${format === 'raw' ? 'bin' : 'car'}"`,
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${cid}.${format}"`,
      vary: 'Accept',
      'x-content-type-options': 'nosniff',
      'x-ipfs-roots': CID.decode(content.root).toString(),
      'content-length': String(body.byteLength),
    },
    ...(head ? { body: '' } : { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
  };
}

function carBytes(content: TrustlessContent): Uint8Array {
  const root = CID.decode(content.root);
  const blocks = content.blocks.map((block) => ({ cid: CID.decode(block.cid), bytes: block.bytes }));
  const length = CarBufferWriter.headerLength({ roots: [root] }) + blocks.reduce((sum, block) => sum + CarBufferWriter.blockLength(block), 0);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(length), { roots: [root] });
  for (const block of blocks) writer.write(block);
  return writer.close();
}

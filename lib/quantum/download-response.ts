import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Download } from '../domain/quantum-files';
import { attachmentDisposition } from '../store/blob-store';

/**
 * The HTTP answer to a Quantum download: the bytes as an attachment under the
 * file's own name (never a server path), base64 as Lambda requires for binary
 * bodies; or, for a file too large for a Lambda response, a 302 to a presigned
 * GET that sets the same disposition.
 */
export function downloadResponse(download: Download): APIGatewayProxyStructuredResultV2 {
  const noStore = { 'cache-control': 'no-store' };
  if (download.kind === 'redirect') {
    return { statusCode: 302, headers: { location: download.url, ...noStore }, body: '' };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': download.file.contentType,
      'content-disposition': attachmentDisposition(download.file.name),
      'x-content-type-options': 'nosniff',
      ...noStore,
    },
    body: Buffer.from(download.bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

import { recordBandwidth } from '../../../lib/core/read/bandwidth';
import { checkDownloadToken, spendDownloadToken, storedVersionTag } from '../../../lib/quantum/downloads';
import { routeUsing } from '../../../lib/app/route';
import { entries, downloadTokens, blobs, bandwidth, withStores } from '../../../lib/app/stores';
import { bytesSent, serveFile, type FileToServe } from '../../../lib/http/serve-file';
import { QUANTUM_DOWNLOAD_OPTIONS } from '../../../lib/quantum/download-response';
import { tokenPath } from '../../../lib/quantum/schemas';

/**
 * GET and HEAD /file/download/<file_token> (no key): the file as an attachment, with
 * ranges and conditional requests, or a 302 to a presigned GET above 4 MiB. The token
 * is spent only when bytes (or the URL to them) are given: 200, 206, 302; HEAD, 304 and
 * 416 leave it valid. A spent token, or one whose sibling was spent, is 400 INVALID_TOKEN.
 * The bytes handed out count towards the owner's bandwidth of the month.
 */
export const handler = routeUsing(withStores(entries, downloadTokens, blobs, bandwidth))({ surface: 'quantum', errors: ['invalidDownloadToken', 'rangeNotSatisfiable'], auth: false, schemas: { path: tokenPath } }, async ({ path, services, event }) => {
  const file = await checkDownloadToken(services, path.token);
  const target: FileToServe = { file, size: file.size ?? 0, etag: storedVersionTag(file) };
  const response = await serveFile(services, event, target, {
    ...QUANTUM_DOWNLOAD_OPTIONS,
    beforeContent: () => spendDownloadToken(services, path.token, file),
  });
  await recordBandwidth(services, file.accountId, bytesSent(event, target, response));
  return { response };
});

/**
 * Helpers for the Quantum integration tests: route events as API Gateway (HTTP
 * API, payload v2) delivers them, multipart bodies built by the platform's own
 * FormData, and a snapshot of what a bucket holds, for "nothing changed" checks.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { sdkS3 } from '../../support/sdk-s3';
import { handler as bucketCreate } from '../../../functions/quantum/bucket-create/handler';
import { handler as bucketList } from '../../../functions/quantum/bucket-list/handler';
import { handler as bucketRemove } from '../../../functions/quantum/bucket-remove/handler';
import { handler as fileAdd } from '../../../functions/quantum/file-add/handler';
import { handler as fileDownload } from '../../../functions/quantum/file-download/handler';
import { handler as fileGet } from '../../../functions/quantum/file-get/handler';
import { handler as fileMkdir } from '../../../functions/quantum/file-mkdir/handler';
import { handler as fileQuota } from '../../../functions/quantum/file-quota/handler';
import { handler as fileRemove } from '../../../functions/quantum/file-remove/handler';
import { handler as methodNotAllowed } from '../../../functions/quantum/method-not-allowed/handler';
import { handler as tokenCreate } from '../../../functions/quantum/token-create/handler';
import { handler as tokenRemove } from '../../../functions/quantum/token-remove/handler';
import { handler as tokenRemoveBucket } from '../../../functions/quantum/token-remove-bucket/handler';
import { handler as uploadCreate } from '../../../functions/quantum/upload-create/handler';
import { handler as uploadParts } from '../../../functions/quantum/upload-parts/handler';
import { handler as uploadList } from '../../../functions/quantum/upload-list/handler';
import { handler as uploadComplete } from '../../../functions/quantum/upload-complete/handler';
import { handler as uploadAbort } from '../../../functions/quantum/upload-abort/handler';
import type { Services } from '../../../lib/app/services';
import type { BucketRecord } from '../../../lib/core/ports';
import { formBody, type FormFile } from '../../support/data';
import { invoke, lambdaContext, routeEvent, type InvokeResult } from '../../support/events';

// Moved to test/support (one home for event factories and test data); re-exported for these tests.
export { formBody, routeEvent, type FormFile };

export const quantum = {
  bucketList,
  bucketCreate,
  bucketRemove,
  tokenCreate,
  tokenRemove,
  tokenRemoveBucket,
  fileAdd,
  fileMkdir,
  fileRemove,
  fileGet,
  fileDownload,
  fileQuota,
  methodNotAllowed,
  uploadCreate,
  uploadParts,
  uploadList,
  uploadComplete,
  uploadAbort,
};

/** `POST /file/add/<bucket>/<location>` with a form of `files`. */
export async function addFiles(
  headers: Record<string, string>,
  bucket: string,
  location: string | undefined,
  files: readonly FormFile[],
  fields: Record<string, string> = {},
): Promise<InvokeResult> {
  const { body, contentType } = await formBody(files, fields);
  const params: Record<string, string> = location === undefined ? { bucket } : { bucket, location };
  return invoke(
    quantum.fileAdd,
    routeEvent({
      method: 'POST',
      route: location === undefined ? '/file/add/{bucket}' : '/file/add/{bucket}/{location+}',
      params,
      headers: { ...headers, 'content-type': contentType },
      body,
    }),
  );
}

/** `GET /file/get/...` then the token out of its answer. */
export async function fileToken(headers: Record<string, string>, bucket: string, location: string): Promise<string> {
  const response = await invoke(quantum.fileGet, routeEvent({ method: 'GET', route: '/file/get/{bucket}/{location+}', params: { bucket, location }, headers }));
  if (response.statusCode !== 200) throw new Error(`file/get ${location}: ${response.statusCode} ${response.rawBody}`);
  return response.body.data.file_token as string;
}

/** `GET /file/download/<token>`: the raw Lambda result (binary bodies stay base64). */
export function download(token: string) {
  return quantum.fileDownload(routeEvent({ method: 'GET', route: '/file/download/{token}', params: { token } }), lambdaContext());
}

/** What a bucket holds: its paths, its objects in S3, and the usage figures. */
export interface BucketSnapshot {
  readonly paths: string[];
  readonly objects: string[];
  readonly accountUsedBytes: number;
  readonly bucketSizeBytes: number | undefined;
}

export async function snapshot(services: Services, bucket: BucketRecord): Promise<BucketSnapshot> {
  const [claims, objects, account, current] = await Promise.all([
    services.entries.listSubtreeClaims(bucket.bucketUuid, ''),
    listObjects(services, `files/${bucket.bucketUuid}/`),
    services.accounts.getAccount(bucket.accountId),
    services.buckets.get(bucket.bucketUuid),
  ]);
  return {
    paths: claims.map((claim) => claim.path).sort(),
    objects: objects.sort(),
    accountUsedBytes: account?.usedBytes ?? 0,
    bucketSizeBytes: current?.sizeBytes,
  };
}

export async function listObjects(services: Services, prefix: string, bucketName = services.config.FILES_BUCKET): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await sdkS3(services.config).send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** The stored bytes (UTF-8) of the file that holds `path` in `bucket`. */
export async function storedText(services: Services, bucket: BucketRecord, path: string): Promise<string> {
  const claim = await services.entries.getPathClaim(bucket.bucketUuid, path);
  const file = await services.entries.get(claim!.entryUuid);
  return Buffer.from(await services.blobs.readAll(file!.objectKey!)).toString('utf8');
}

/**
 * Shared steps of the Apillon integration tests: the handlers, events for them,
 * putting bytes where a presigned URL points, and delivering S3 events to the
 * real ObjectCreated function. Storage is the emulators', never a mock.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import { handler as bucketContent } from '../../../functions/apillon/bucket-content/handler';
import { handler as bucketCreate } from '../../../functions/apillon/bucket-create/handler';
import { handler as bucketFileDelete } from '../../../functions/apillon/bucket-file-delete/handler';
import { handler as bucketFileGet } from '../../../functions/apillon/bucket-file-get/handler';
import { handler as bucketFiles } from '../../../functions/apillon/bucket-files/handler';
import { handler as bucketGet } from '../../../functions/apillon/bucket-get/handler';
import { handler as bucketsList } from '../../../functions/apillon/buckets-list/handler';
import { handler as content } from '../../../functions/apillon/content/handler';
import { handler as directoryDelete } from '../../../functions/apillon/directory-delete/handler';
import { handler as fileDelete } from '../../../functions/apillon/file-delete/handler';
import { handler as fileDetail } from '../../../functions/apillon/file-detail/handler';
import { handler as info } from '../../../functions/apillon/info/handler';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { handler as ipfsClusterInfo } from '../../../functions/apillon/ipfs-cluster-info/handler';
import { handler as ipnsCreate } from '../../../functions/apillon/ipns-create/handler';
import { handler as ipnsDelete } from '../../../functions/apillon/ipns-delete/handler';
import { handler as ipnsGateway } from '../../../functions/apillon/ipns-gateway/handler';
import { handler as ipnsGet } from '../../../functions/apillon/ipns-get/handler';
import { handler as ipnsList } from '../../../functions/apillon/ipns-list/handler';
import { handler as ipnsPublish } from '../../../functions/apillon/ipns-publish/handler';
import { handler as linkOnIpfs } from '../../../functions/apillon/link-on-ipfs/handler';
import { handler as linksOnIpfs } from '../../../functions/apillon/link-on-ipfs-multiple/handler';
import { handler as sessionEnd } from '../../../functions/apillon/session-end/handler';
import { handler as sessionUpload } from '../../../functions/apillon/session-upload/handler';
import { handler as uploadRequest } from '../../../functions/apillon/upload-request/handler';
import { handler as bucketUpdate } from '../../../functions/apillon/bucket-update/handler';
import { handler as multipartCreate } from '../../../functions/apillon/multipart-create/handler';
import { handler as multipartParts } from '../../../functions/apillon/multipart-parts/handler';
import { handler as multipartList } from '../../../functions/apillon/multipart-list/handler';
import { handler as multipartComplete } from '../../../functions/apillon/multipart-complete/handler';
import { handler as multipartAbort } from '../../../functions/apillon/multipart-abort/handler';
import { handler as webhookDelete } from '../../../functions/apillon/webhook-delete/handler';
import { handler as webhookDeliveries } from '../../../functions/apillon/webhook-deliveries/handler';
import { handler as webhookGet } from '../../../functions/apillon/webhook-get/handler';
import { handler as webhookPut } from '../../../functions/apillon/webhook-put/handler';
import type { Services } from '../../../lib/app/services';
import { invoke, lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord, type HttpEventInit, type InvokeResult } from '../../support/events';

// Moved to test/support (one home for event factories and test data); re-exported for these tests.
export { prngBytes } from '../../support/data';

export const handlers = {
  bucketsList, bucketCreate, bucketGet, uploadRequest, sessionUpload, sessionEnd, content, bucketContent,
  bucketFiles, fileDetail, fileDelete, bucketFileGet, bucketFileDelete, directoryDelete, info, linkOnIpfs,
  linksOnIpfs, ipfsGateway, ipfsClusterInfo, ipnsList, ipnsCreate, ipnsGet, ipnsDelete, ipnsPublish, ipnsGateway,
  multipartCreate, multipartParts, multipartList, multipartComplete, multipartAbort, bucketUpdate,
  webhookGet, webhookPut, webhookDelete, webhookDeliveries,
} as const;

type Route = keyof typeof handlers;

/** `/storage/{bucketUuid}/content` + `{bucketUuid: 'x'}` → `/storage/x/content`. */
function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

const TEMPLATES: Record<Route, [string, string]> = {
  bucketsList: ['GET', '/storage/buckets'],
  bucketCreate: ['POST', '/storage/buckets'],
  bucketGet: ['GET', '/storage/buckets/{bucketUuid}'],
  uploadRequest: ['POST', '/storage/{bucketUuid}/upload'],
  sessionUpload: ['POST', '/storage/buckets/{bucketUuid}/upload'],
  sessionEnd: ['POST', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/end'],
  content: ['GET', '/storage/{bucketUuid}/content'],
  bucketContent: ['GET', '/storage/buckets/{bucketUuid}/content'],
  bucketFiles: ['GET', '/storage/buckets/{bucketUuid}/files'],
  fileDetail: ['GET', '/storage/{bucketUuid}/file/{id}/detail'],
  fileDelete: ['DELETE', '/storage/{bucketUuid}/file/{id}'],
  bucketFileGet: ['GET', '/storage/buckets/{bucketUuid}/files/{id}'],
  bucketFileDelete: ['DELETE', '/storage/buckets/{bucketUuid}/files/{id}'],
  directoryDelete: ['DELETE', '/storage/buckets/{bucketUuid}/directories/{directoryUuid}'],
  info: ['GET', '/storage/info'],
  linkOnIpfs: ['GET', '/storage/link-on-ipfs/{cid}'],
  linksOnIpfs: ['POST', '/storage/link-on-ipfs-multiple'],
  ipfsGateway: ['GET', '/ipfs/{cid}'],
  ipfsClusterInfo: ['GET', '/storage/ipfs-cluster-info'],
  ipnsList: ['GET', '/storage/buckets/{bucketUuid}/ipns'],
  ipnsCreate: ['POST', '/storage/buckets/{bucketUuid}/ipns'],
  ipnsGet: ['GET', '/storage/buckets/{bucketUuid}/ipns/{ipnsUuid}'],
  ipnsDelete: ['DELETE', '/storage/buckets/{bucketUuid}/ipns/{ipnsUuid}'],
  ipnsPublish: ['POST', '/storage/buckets/{bucketUuid}/ipns/{ipnsUuid}/publish'],
  ipnsGateway: ['GET', '/ipns/{name}'],
  bucketUpdate: ['PATCH', '/storage/buckets/{bucketUuid}'],
  multipartCreate: ['POST', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart'],
  multipartParts: ['POST', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/parts'],
  multipartList: ['GET', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}'],
  multipartComplete: ['POST', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/complete'],
  multipartAbort: ['DELETE', '/storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}'],
  webhookGet: ['GET', '/storage/buckets/{bucketUuid}/webhook'],
  webhookPut: ['PUT', '/storage/buckets/{bucketUuid}/webhook'],
  webhookDelete: ['DELETE', '/storage/buckets/{bucketUuid}/webhook'],
  webhookDeliveries: ['GET', '/storage/buckets/{bucketUuid}/webhook/deliveries'],
};

export interface CallInit extends Omit<HttpEventInit, 'method' | 'path' | 'rawPath' | 'pathParameters'> {
  readonly params?: Record<string, string>;
}

/** Invokes one Apillon handler with an API Gateway v2 event for its route. */
export function call<T = any>(route: Route, init: CallInit = {}): Promise<InvokeResult<T>> {
  const [method, template] = TEMPLATES[route];
  const params = init.params ?? {};
  return invoke<T>(handlers[route], {
    ...init,
    method,
    path: template,
    rawPath: fill(template, params),
    pathParameters: Object.keys(params).length ? params : undefined,
  });
}

/** PUTs `bytes` to a presigned URL as the SDK and curl do: no Content-Type, no credentials. */
export async function putBytes(url: string, bytes: Uint8Array | string): Promise<Response> {
  return fetch(url, { method: 'PUT', body: typeof bytes === 'string' ? Buffer.from(bytes) : bytes });
}

/**
 * Delivers one ObjectCreated notification per key, in the given order, to the real
 * event function, each as an SQS message of the object-events queue; throws when the
 * function reports a message as failed (it would come back from the queue).
 */
export async function deliverEvents(services: Services, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const record = sqsRecord(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [key]));
    const { batchItemFailures } = await objectCreated(sqsEvent([record]), lambdaContext());
    if (batchItemFailures.length > 0) throw new Error(`Object ${key} failed; the queue would deliver it again`);
  }
}

/** The object key a presigned upload URL points at. */
export function objectKeyOf(url: string): string {
  const { pathname } = new URL(url);
  // Path-style: /<bucket>/<key>
  return decodeURIComponent(pathname.split('/').slice(2).join('/'));
}

/** Every item of this test file's table, sorted: the whole stored state, for before/after comparisons. */
export async function tableSnapshot(services: Services): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await services.clients.dynamo.send(new ScanCommand({ TableName: services.config.TABLE_NAME, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const id = (item: Record<string, unknown>) => `${String(item.pk)}|${String(item.sk)}`;
  return items.sort((a, b) => id(a).localeCompare(id(b)));
}

/**
 * Requests an upload on the seed route, PUTs the bytes and delivers the S3
 * event: the file at status 4. Returns the upload answer's data.
 */
export async function uploadFile(
  services: Services,
  bucketUuid: string,
  headers: Record<string, string>,
  file: { fileName: string; path?: string; contentType?: string; bytes: Uint8Array | string },
): Promise<{ fileUuid: string; fileUploadRequestId: number; url: string; key: string }> {
  const response = await call('uploadRequest', {
    params: { bucketUuid },
    headers,
    body: { fileName: file.fileName, contentType: file.contentType ?? 'text/plain', ...(file.path === undefined ? {} : { path: file.path }) },
  });
  if (response.statusCode !== 201) throw new Error(`upload request failed: ${response.rawBody}`);
  const { url, fileUuid, fileUploadRequestId } = response.body.data;
  const put = await putBytes(url, file.bytes);
  if (!put.ok) throw new Error(`PUT failed: ${put.status} ${await put.text()}`);
  const key = objectKeyOf(url);
  await deliverEvents(services, [key]);
  return { fileUuid, fileUploadRequestId, url, key };
}

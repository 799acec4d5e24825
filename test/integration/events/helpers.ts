/**
 * Helpers of the event-path tests: files whose bytes are uploaded (status 1,
 * nothing processed yet), a file made poison (every run of its steps throws),
 * and the sweeper's index attributes set as the entry store will set them.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { requestUpload, uploadKeyOf, uploadUrl } from '../../../lib/core/upload/uploads';
import type { FileRecord } from '../../../lib/core/model/entries';
import type { Services } from '../../../lib/app/services';
import { keys, pendingKeys } from '../../../lib/store/keys';
import type { TestTenant } from '../../support/services';

/** Requests an upload and PUTs `bytes` to its presigned URL: the file at status 1 with its bytes in S3. */
export async function uploadedFile(services: Services, tenant: TestTenant, fileName: string, bytes: string): Promise<FileRecord & { key: string }> {
  const file = await requestUpload(services, tenant.bucket, { fileName, directory: [], contentType: 'text/plain', overwrite: true });
  const put = await fetch(await uploadUrl(services, file), { method: 'PUT', body: bytes });
  if (!put.ok) throw new Error(`PUT failed: ${put.status} ${await put.text()}`);
  return { ...file, key: uploadKeyOf(file) };
}

/**
 * Makes a file poison: status 2 with an empty object key, so a later step
 * (the read for its CIDs, or its replica copy) throws on every run, as a
 * corrupt record or a bug would.
 */
export async function makePoison(services: Services, fileUuid: string): Promise<void> {
  await services.clients.dynamo.send(
    new UpdateCommand({
      TableName: services.config.TABLE_NAME,
      Key: keys.entry(fileUuid),
      UpdateExpression: 'SET fileStatus = :uploaded, objectKey = :empty',
      ExpressionAttributeValues: { ':uploaded': 2, ':empty': '' },
    }),
  );
}

/**
 * Sets what the sweeper's sparse index (`ByPendingStep`) reads, as the entry
 * store will on each step: the partition and the time of the last step
 * (`updatedAt` too, so the file looks `updatedAt` old).
 */
export async function markPendingSince(services: Services, fileUuid: string, at: Date): Promise<void> {
  await services.clients.dynamo.send(
    new UpdateCommand({
      TableName: services.config.TABLE_NAME,
      Key: keys.entry(fileUuid),
      UpdateExpression: 'SET pendingPk = :pending, pendingAt = :pendingAt, updatedAt = :at',
      ExpressionAttributeValues: { ...((index) => ({ ':pending': index.pendingPk, ':pendingAt': index.pendingAt }))(pendingKeys(fileUuid, at.toISOString())), ':at': at.toISOString() },
    }),
  );
}

/** A file's status as stored now. */
export async function statusOf(services: Services, fileUuid: string): Promise<number | undefined> {
  return (await services.entries.get(fileUuid))?.fileStatus;
}

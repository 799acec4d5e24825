import type { EntryRecord } from '../model/entries';
import type { WebhookDelivery } from '../ports/webhook-queue';

/**
 * The `files.ready` event (issue 22): what a bucket webhook receives once the files of an upload session (or a
 * single upload) reached status 4. One event per session, however many files (a 2,000-file site is one call).
 */
export interface FilesReadyPayload {
  readonly type: 'files.ready';
  readonly bucketUuid: string;
  /** null for a single upload outside a session. */
  readonly sessionUuid: string | null;
  /** ISO 8601: when the files were found ready (the same in every attempt). */
  readonly timestamp: string;
  /** Every file of the session at status 4, by path. */
  readonly files: readonly ReadyFile[];
}

export interface ReadyFile {
  readonly fileUuid: string;
  readonly name: string;
  /** The file's directory as Apillon gives it (`a/b/`, `''` at the root). */
  readonly path: string;
  /** Bytes. */
  readonly size: number;
  /** The CIDv1 (as every `CID` of this service, SPEC §5), also as `CIDv1`; `CIDv0` as `ipfs add` gives it. */
  readonly CID: string;
  readonly CIDv1: string;
  readonly CIDv0: string;
}

/**
 * The event's id, the Standard Webhooks `webhook-id`: derived from the session (or file) alone, so every attempt,
 * and an event announced twice after a crash, carries the same id and receivers can drop duplicates.
 */
export function filesReadyEventId(subject: { sessionUuid?: string; fileUuid?: string }): string {
  const uuid = subject.sessionUuid ?? subject.fileUuid;
  if (!uuid) throw new Error('A files.ready event needs a sessionUuid or a fileUuid');
  return `msg_files_ready_${uuid.replace(/-/g, '')}`;
}

/** The first attempt of a files.ready event. */
export function firstDelivery(subject: { bucketUuid: string; sessionUuid?: string; fileUuid?: string }, readyAt: string): WebhookDelivery {
  return {
    eventId: filesReadyEventId(subject),
    type: 'files.ready',
    bucketUuid: subject.bucketUuid,
    ...(subject.sessionUuid ? { sessionUuid: subject.sessionUuid } : { fileUuid: subject.fileUuid }),
    readyAt,
    attempt: 1,
  };
}

/** The payload of `delivery` over the files it names (status-4 files only, ordered by path). */
export function filesReadyPayload(delivery: WebhookDelivery, files: readonly EntryRecord[]): FilesReadyPayload {
  const ready = files
    .filter((file) => file.type === 'file' && file.fileStatus === 4 && file.cidV1 && file.cidV0)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    type: 'files.ready',
    bucketUuid: delivery.bucketUuid,
    sessionUuid: delivery.sessionUuid ?? null,
    timestamp: delivery.readyAt,
    files: ready.map((file) => ({
      fileUuid: file.uuid,
      name: file.name,
      path: directoryOf(file.path),
      size: file.size ?? 0,
      CID: file.cidV1!,
      CIDv1: file.cidV1!,
      CIDv0: file.cidV0!,
    })),
  };
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : `${path.slice(0, slash)}/`;
}

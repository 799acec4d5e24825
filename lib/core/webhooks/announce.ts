import type { EntryRecord } from '../model/entries';
import type { Logger } from '../../log';
import type { WebhookQueue } from '../ports/webhook-queue';
import type { WebhookStore } from '../ports/webhook-store';
import { firstDelivery } from './files-ready';

/**
 * When a `files.ready` event is announced (issue 22), race-free:
 * - each file of a session that reaches a final status (4, or an error status) adds 1 to its session's
 *   `settledCount` in the same transaction as the status change (lifecycle-store.ts `countInSession`), so every
 *   file is counted exactly once however many runs race on it;
 * - the event is due once the session has ended and `settledCount >= fileCount` (every upload request of the
 *   session is settled); whoever sees that, a file's last step or the session's end, whichever comes last, tries
 *   one conditional write (`claimReadySession`: `readyAt` not set yet). Of any number of concurrent tries exactly
 *   one succeeds and queues the first delivery; a queue failure gives the claim back and throws, so the retry
 *   (the object event coming back) tries again;
 * - the claim is also an outbox entry (it puts the session or file into the sweeper's index): a run that dies
 *   between the claim and the queue leaves it there, and the sweeper queues the event (`queueClaimedEvent`) with the
 *   claim's own time, so it is the same event (same id and timestamp) whoever queues it;
 * - a single upload of no session is announced by a claim on the file itself once it reaches status 4.
 * The event's id comes from the session (files-ready.ts): were an event queued twice anyway, receivers drop it.
 *
 * Only buckets with a webhook pay for any of this beyond the counter: the claim is tried after the webhook read.
 */
export interface AnnounceDeps {
  readonly webhooks?: WebhookStore;
  readonly webhookQueue?: WebhookQueue;
  readonly logger: Logger;
}

/** After a file's run settled it (or found it settled): announces its session's (or its own) files.ready when due. */
export async function announceIfReady(deps: AnnounceDeps, file: EntryRecord | undefined): Promise<void> {
  if (!file || file.type !== 'file' || !deps.webhooks || !deps.webhookQueue) return;
  const settled = file.fileStatus === 4 || (file.fileStatus ?? 0) >= 100;
  if (!settled) return;
  if (file.sessionUuid) {
    await announceSessionIfReady(deps, file.bucketUuid, file.sessionUuid);
  } else if (file.fileStatus === 4) {
    if (!(await deps.webhooks.get(file.bucketUuid))) return;
    const now = new Date().toISOString();
    if (!(await deps.webhooks.claimReadyFile(file.uuid, now))) return;
    await queueOrRelease(deps, { fileUuid: file.uuid }, firstDelivery({ bucketUuid: file.bucketUuid, fileUuid: file.uuid }, now), () => deps.webhooks!.releaseReadyFile(file.uuid));
  }
}

/** The session's files.ready when it is due and nobody announced it yet (see above); called at a session's end too. */
export async function announceSessionIfReady(deps: AnnounceDeps, bucketUuid: string, sessionUuid: string): Promise<void> {
  if (!deps.webhooks || !deps.webhookQueue) return;
  if (!(await deps.webhooks.get(bucketUuid))) return;
  const claim = await deps.webhooks.claimReadySession(sessionUuid, new Date().toISOString());
  if (!claim || claim.bucketUuid !== bucketUuid) return;
  await queueOrRelease(deps, { sessionUuid }, firstDelivery({ bucketUuid, sessionUuid }, claim.readyAt), () => deps.webhooks!.releaseReadySession(sessionUuid, claim.readyAt));
  deps.logger.info('files.ready queued', { bucketUuid, sessionUuid, files: claim.fileCount });
}

/**
 * The sweeper's half of the outbox: a files.ready claimed but never queued (its run died in between) is queued now,
 * under the claim's time (the same event id and timestamp as the lost one would have had), then taken out of the
 * sweeper's index. `subject` is the session, or the file of a single upload (`readyAt` from its record). Throws
 * when the queue does: the item stays for the next sweep. Returns whether an event was queued.
 */
export async function queueClaimedEvent(
  deps: AnnounceDeps,
  subject: { readonly sessionUuid: string } | { readonly file: EntryRecord },
): Promise<boolean> {
  if (!deps.webhooks || !deps.webhookQueue) return false;
  if ('sessionUuid' in subject) {
    const claim = await deps.webhooks.unqueuedSession(subject.sessionUuid);
    if (!claim) return false;
    await deps.webhookQueue.send(firstDelivery({ bucketUuid: claim.bucketUuid, sessionUuid: claim.sessionUuid }, claim.readyAt), 0);
    await deps.webhooks.markQueued({ sessionUuid: claim.sessionUuid }, claim.readyAt);
    deps.logger.warn('files.ready queued by the sweeper (its claim was never queued)', { bucketUuid: claim.bucketUuid, sessionUuid: claim.sessionUuid, readyAt: claim.readyAt });
    return true;
  }
  const { file } = subject;
  if (!file.readyAt) return false;
  await deps.webhookQueue.send(firstDelivery({ bucketUuid: file.bucketUuid, fileUuid: file.uuid }, file.readyAt), 0);
  await deps.webhooks.markQueued({ fileUuid: file.uuid }, file.readyAt);
  deps.logger.warn('files.ready queued by the sweeper (its claim was never queued)', { bucketUuid: file.bucketUuid, fileUuid: file.uuid, readyAt: file.readyAt });
  return true;
}

async function queueOrRelease(
  deps: AnnounceDeps,
  subject: { readonly sessionUuid: string } | { readonly fileUuid: string },
  delivery: Parameters<WebhookQueue['send']>[0],
  release: () => Promise<void>,
): Promise<void> {
  try {
    await deps.webhookQueue!.send(delivery, 0);
  } catch (error) {
    await release();
    throw error;
  }
  // Queued: out of the sweeper's index. Were this write lost, the sweeper would queue the same event again (same id).
  await deps.webhooks!.markQueued(subject, delivery.readyAt);
}

/**
 * `deps` whose webhook reads (`webhooks.get`, the "does this bucket have a webhook" check above) are shared by the
 * files of one invocation (a batch of object events is often one session's files, one bucket): one read per bucket
 * per invocation instead of one per file. Bound: one entry per bucket the invocation meets, dropped with the object
 * this returns; a failed read is not kept. A webhook set during the invocation is seen by the next one (or by the
 * session's end).
 */
export function sharingWebhookReads<D extends { readonly webhooks?: WebhookStore }>(deps: D): D {
  const store = deps.webhooks;
  if (!store) return deps;
  const reads = new Map<string, ReturnType<WebhookStore['get']>>();
  const webhooks: WebhookStore = {
    get: (bucketUuid) => {
      let read = reads.get(bucketUuid);
      if (!read) {
        read = store.get(bucketUuid);
        reads.set(bucketUuid, read);
        read.catch(() => reads.delete(bucketUuid));
      }
      return read;
    },
    put: (webhook) => store.put(webhook),
    delete: (bucketUuid) => store.delete(bucketUuid),
    logAttempt: (bucketUuid, attempt) => store.logAttempt(bucketUuid, attempt),
    lastAttempts: (bucketUuid, limit) => store.lastAttempts(bucketUuid, limit),
    claimReadySession: (sessionUuid, nowIso) => store.claimReadySession(sessionUuid, nowIso),
    releaseReadySession: (sessionUuid, readyAt) => store.releaseReadySession(sessionUuid, readyAt),
    claimReadyFile: (fileUuid, nowIso) => store.claimReadyFile(fileUuid, nowIso),
    releaseReadyFile: (fileUuid) => store.releaseReadyFile(fileUuid),
    markQueued: (subject, readyAt) => store.markQueued(subject, readyAt),
    unqueuedSession: (sessionUuid) => store.unqueuedSession(sessionUuid),
  };
  return { ...deps, webhooks };
}
